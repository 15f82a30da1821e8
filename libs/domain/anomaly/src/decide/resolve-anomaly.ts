import { ResolveAnomaly } from '../commands';
import { AnomalyErrors } from '../errors';
import { ANOMALY_RESOLUTIONS, AnomalyResolved } from '../events';
import { AnomalyState } from '../state';
import { requireLive } from './guards';

/** Resolving a resolved anomaly appends nothing (the saga and a person may both resolve it). */
export function resolveAnomaly(command: ResolveAnomaly, state: AnomalyState): AnomalyResolved[] {
  const { anomalyId, how, note } = command.data;
  if (state.status === 'Resolved') return [];
  requireLive(state, anomalyId);
  if (!ANOMALY_RESOLUTIONS.includes(how)) {
    throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', `how must be one of ${ANOMALY_RESOLUTIONS.join(', ')}`, { field: 'how' });
  }
  return [{ type: 'AnomalyResolved', data: { anomalyId, how, by: command.metadata.actor, note, at: command.metadata.now } }];
}
