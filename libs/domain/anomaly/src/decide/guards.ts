import { AnomalyErrors } from '../errors';
import { AnomalyState, LiveAnomaly } from '../state';

export function requireLive(state: AnomalyState, anomalyId: string): LiveAnomaly {
  if (state.status === 'Initial') throw AnomalyErrors.raise('ANOMALY.NOT_FOUND', `anomaly ${anomalyId} does not exist`, { anomalyId });
  if (state.status === 'Resolved') {
    throw AnomalyErrors.raise('ANOMALY.CLOSED', `anomaly ${anomalyId} is resolved; a new occurrence opens a new anomaly`, { anomalyId });
  }
  return state;
}
