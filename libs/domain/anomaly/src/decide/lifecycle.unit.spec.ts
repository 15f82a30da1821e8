import { AnomalyAcknowledged, AnomalySuppressed } from '../events';
import { detected, meta, spec, T1 } from '../spec-fixtures';

const acknowledged: AnomalyAcknowledged = { type: 'AnomalyAcknowledged', data: { anomalyId: 'anom-1', by: 'oncall-ann', at: T1 } };
const suppressed: AnomalySuppressed = { type: 'AnomalySuppressed', data: { anomalyId: 'anom-1', silenceId: 'sil-1', by: 'oncall-ann', at: T1 } };

describe('acknowledging, suppressing, escalating and resolving an anomaly', () => {
  it('records who acknowledged the anomaly', () => {
    spec.given([detected]).when({ type: 'AcknowledgeAnomaly', data: { anomalyId: 'anom-1' }, metadata: meta('oncall-ann') }).then([acknowledged]);
  });

  it('appends nothing when an acknowledged anomaly is acknowledged again', () => {
    spec.given([detected, acknowledged]).when({ type: 'AcknowledgeAnomaly', data: { anomalyId: 'anom-1' }, metadata: meta('oncall-bob') }).then([]);
  });

  it('refuses to acknowledge a suppressed anomaly with ANOMALY.SUPPRESSED', () => {
    spec.given([detected, suppressed]).when({ type: 'AcknowledgeAnomaly', data: { anomalyId: 'anom-1' }, metadata: meta('oncall-bob') })
      .thenThrows('ANOMALY.SUPPRESSED');
  });

  it('suppresses an anomaly under a silence', () => {
    spec.given([detected, acknowledged]).when({ type: 'SuppressAnomaly', data: { anomalyId: 'anom-1', silenceId: 'sil-1' }, metadata: meta('oncall-ann') })
      .then([suppressed]);
  });

  it('appends nothing when the same silence suppresses it again', () => {
    spec.given([detected, suppressed]).when({ type: 'SuppressAnomaly', data: { anomalyId: 'anom-1', silenceId: 'sil-1' }, metadata: meta('oncall-ann') }).then([]);
  });

  it('escalates the severity by hand, only upwards', () => {
    spec.given([detected]).when({ type: 'EscalateAnomalySeverity', data: { anomalyId: 'anom-1', severity: 'critical', reason: 'checkout down' }, metadata: meta('oncall-ann') })
      .then([{ type: 'AnomalyEscalatedSeverity', data: { anomalyId: 'anom-1', from: 'error', to: 'critical', by: 'oncall-ann', reason: 'checkout down', at: T1 } }]);
    spec.given([detected]).when({ type: 'EscalateAnomalySeverity', data: { anomalyId: 'anom-1', severity: 'warning' }, metadata: meta('oncall-ann') })
      .thenThrows('ANOMALY.SEVERITY_NOT_HIGHER');
  });

  it('resolves the anomaly with how it was resolved', () => {
    spec.given([detected, acknowledged]).when({ type: 'ResolveAnomaly', data: { anomalyId: 'anom-1', how: 'remediated', note: 'exec-1 verified' }, metadata: meta('system:saga') })
      .then([{ type: 'AnomalyResolved', data: { anomalyId: 'anom-1', how: 'remediated', by: 'system:saga', note: 'exec-1 verified', at: T1 } }]);
  });

  it('appends nothing when a resolved anomaly is resolved again', () => {
    spec.given([detected, { type: 'AnomalyResolved', data: { anomalyId: 'anom-1', how: 'manual', by: 'oncall-ann', at: T1 } }])
      .when({ type: 'ResolveAnomaly', data: { anomalyId: 'anom-1', how: 'remediated' }, metadata: meta('system:saga') })
      .then([]);
  });

  it('refuses to act on an anomaly that was never detected with ANOMALY.NOT_FOUND', () => {
    spec.given([]).when({ type: 'AcknowledgeAnomaly', data: { anomalyId: 'anom-1' }, metadata: meta('oncall-ann') }).thenThrows('ANOMALY.NOT_FOUND');
  });
});
