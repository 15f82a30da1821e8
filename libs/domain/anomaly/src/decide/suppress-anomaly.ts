import { SuppressAnomaly } from '../commands';
import { AnomalyErrors } from '../errors';
import { AnomalySuppressed } from '../events';
import { AnomalyState } from '../state';
import { requireLive } from './guards';

/** A silence mutes notifications; repeats still update the anomaly. */
export function suppressAnomaly(command: SuppressAnomaly, state: AnomalyState): AnomalySuppressed[] {
  const { anomalyId, silenceId } = command.data;
  const live = requireLive(state, anomalyId);
  if (typeof silenceId !== 'string' || silenceId === '') {
    throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', 'silenceId must be a non-empty string', { field: 'silenceId' });
  }
  if (live.status === 'Suppressed' && live.silenceId === silenceId) return [];
  return [{ type: 'AnomalySuppressed', data: { anomalyId, silenceId, by: command.metadata.actor, at: command.metadata.now } }];
}
