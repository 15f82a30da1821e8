import { isPlainObject, isBefore, parseInstant } from '@vigil/domain/shared';
import { DetectAnomaly } from '../commands';
import { AnomalyErrors } from '../errors';
import { AnomalyEvent, Observation } from '../events';
import { isAnomalySeverity, severityRank } from '../severity';
import { AnomalyState } from '../state';
import { requireLive } from './guards';

/**
 * Opens the anomaly, or — when it is already open (acknowledged and suppressed included) — records the repeat as
 * an update, and a severity escalation when the repeat is more severe.
 */
export function detectAnomaly(command: DetectAnomaly, state: AnomalyState): AnomalyEvent[] {
  const { anomalyId, service, operation, signal, expected, actual, score, severity, window, source, fingerprint } = command.data;
  const { now, actor } = command.metadata;
  for (const [field, value] of Object.entries({ anomalyId, service, operation, signal })) requireText(value, field);
  const observation = observationOf(command);
  if (state.status === 'Initial') {
    return [
      {
        type: 'AnomalyDetected',
        data: { anomalyId, service, operation, signal, expected, actual, score, severity, window, source, fingerprint, at: now },
      },
    ];
  }
  const live = requireLive(state, anomalyId);
  const { key } = live.anomaly;
  if (key.service !== service || key.operation !== operation || key.signal !== signal) {
    throw AnomalyErrors.raise('ANOMALY.KEY_MISMATCH', `anomaly ${anomalyId} is for ${key.service} ${key.operation} ${key.signal}`, {
      anomalyId,
      key,
    });
  }
  const updated: AnomalyEvent = { type: 'AnomalyUpdated', data: { anomalyId, ...observation, occurrences: live.anomaly.occurrences + 1, at: now } };
  if (severityRank(severity) <= severityRank(live.anomaly.severity)) return [updated];
  return [
    updated,
    { type: 'AnomalyEscalatedSeverity', data: { anomalyId, from: live.anomaly.severity, to: severity, by: actor, reason: 'repeat detection', at: now } },
  ];
}

function observationOf(command: DetectAnomaly): Observation {
  const { expected, actual, score, severity, window } = command.data;
  for (const [field, value] of Object.entries({ expected, actual, score })) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', `${field} must be a finite number`, { field });
    }
  }
  if (!isAnomalySeverity(severity)) throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', `unknown severity ${String(severity)}`, { field: 'severity' });
  if (!isPlainObject(window) || parseInstant(window.start) === undefined || parseInstant(window.end) === undefined || isBefore(window.end, window.start)) {
    throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', 'window must be {start, end} instants with start ≤ end', { field: 'window' });
  }
  return { expected, actual, score, severity, window };
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw AnomalyErrors.raise('ANOMALY.INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
}
