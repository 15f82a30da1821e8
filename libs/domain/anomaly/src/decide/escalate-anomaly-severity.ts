import { EscalateAnomalySeverity } from '../commands';
import { AnomalyErrors } from '../errors';
import { AnomalyEscalatedSeverity } from '../events';
import { isAnomalySeverity, severityRank } from '../severity';
import { AnomalyState } from '../state';
import { requireLive } from './guards';

export function escalateAnomalySeverity(command: EscalateAnomalySeverity, state: AnomalyState): [AnomalyEscalatedSeverity] {
  const { anomalyId, severity, reason } = command.data;
  const live = requireLive(state, anomalyId);
  if (!isAnomalySeverity(severity)) throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', `unknown severity ${String(severity)}`, { field: 'severity' });
  if (severityRank(severity) <= severityRank(live.anomaly.severity)) {
    throw AnomalyErrors.raise('ANOMALY.SEVERITY_NOT_HIGHER', `anomaly ${anomalyId} is already ${live.anomaly.severity}`, {
      anomalyId,
      severity: live.anomaly.severity,
    });
  }
  return [
    { type: 'AnomalyEscalatedSeverity', data: { anomalyId, from: live.anomaly.severity, to: severity, by: command.metadata.actor, reason, at: command.metadata.now } },
  ];
}
