import { AnomalyResolved } from '../events';
import { detect, detected, spec, T0, T1 } from '../spec-fixtures';

const resolved: AnomalyResolved = { type: 'AnomalyResolved', data: { anomalyId: 'anom-1', how: 'recovered', by: 'system:saga', at: T1 } };

describe('DetectAnomaly', () => {
  it('opens an anomaly with what was expected, what was seen, the score, the severity and the window', () => {
    spec.given([]).when(detect({ actual: 950, score: 0.97, window: { start: '2025-03-01T09:59:00.000Z', end: T0 } }, T0)).then([detected]);
  });

  it('records an external alert with its source and fingerprint', () => {
    spec.given([]).when(detect({ source: 'alertmanager', fingerprint: 'a1b2c3' })).thenMatches(
      (events) => events[0].type === 'AnomalyDetected' && events[0].data.source === 'alertmanager' && events[0].data.fingerprint === 'a1b2c3',
      'an AnomalyDetected carrying source and fingerprint',
    );
  });

  it('records a repeat on the open anomaly as an update, not a second anomaly', () => {
    spec.given([detected]).when(detect()).then([
      {
        type: 'AnomalyUpdated',
        data: { anomalyId: 'anom-1', expected: 180, actual: 1200, score: 0.98, severity: 'error', window: { start: T0, end: T1 }, occurrences: 2, at: T1 },
      },
    ]);
  });

  it('escalates the severity when a repeat is more severe', () => {
    spec.given([detected]).when(detect({ severity: 'critical' })).thenMatches(
      (events) =>
        events.map((e) => e.type).join() === 'AnomalyUpdated,AnomalyEscalatedSeverity' &&
        JSON.stringify(events[1].data) === JSON.stringify({ anomalyId: 'anom-1', from: 'error', to: 'critical', by: 'system:detector', reason: 'repeat detection', at: T1 }),
      'an update and an escalation from error to critical',
    );
  });

  it('does not lower the severity when a repeat is less severe', () => {
    spec.given([detected]).when(detect({ severity: 'warning' })).thenMatches((events) => events.length === 1 && events[0].type === 'AnomalyUpdated', 'only an update');
  });

  it('updates a suppressed anomaly too (the silence mutes notifications, not the record)', () => {
    spec.given([detected, { type: 'AnomalySuppressed', data: { anomalyId: 'anom-1', silenceId: 'sil-1', by: 'oncall', at: T0 } }])
      .when(detect())
      .thenMatches((events) => events[0].type === 'AnomalyUpdated', 'an update');
  });

  it('refuses a detection for another dedup key with ANOMALY.KEY_MISMATCH', () => {
    spec.given([detected]).when(detect({ signal: 'error_rate' })).thenThrows('ANOMALY.KEY_MISMATCH');
  });

  it('refuses to reopen a resolved anomaly with ANOMALY.CLOSED (a new occurrence is a new anomaly)', () => {
    spec.given([detected, resolved]).when(detect()).thenThrows('ANOMALY.CLOSED');
  });

  it('refuses a detection whose window ends before it starts', () => {
    spec.given([]).when(detect({ window: { start: T1, end: T0 } })).thenThrows('ANOMALY.INVALID_INPUT');
  });
});
