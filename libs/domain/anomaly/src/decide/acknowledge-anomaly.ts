import { AcknowledgeAnomaly } from '../commands';
import { AnomalyErrors } from '../errors';
import { AnomalyAcknowledged } from '../events';
import { AnomalyState } from '../state';
import { requireLive } from './guards';

export function acknowledgeAnomaly(command: AcknowledgeAnomaly, state: AnomalyState): AnomalyAcknowledged[] {
  const { anomalyId } = command.data;
  const live = requireLive(state, anomalyId);
  if (live.status === 'Acknowledged') return [];
  if (live.status === 'Suppressed') {
    throw AnomalyErrors.raise('ANOMALY.SUPPRESSED', `anomaly ${anomalyId} is suppressed by silence ${live.silenceId}`, { anomalyId, silenceId: live.silenceId });
  }
  return [{ type: 'AnomalyAcknowledged', data: { anomalyId, by: command.metadata.actor, at: command.metadata.now } }];
}
