import { CommandMetadata, deciderSpecification } from '@vigil/domain/shared';
import { DetectAnomaly } from './commands';
import { anomalyDecider } from './decider';
import { AnomalyDetected } from './events';

export const spec = deciderSpecification(anomalyDecider);
export const T0 = '2025-03-01T10:00:00.000Z';
export const T1 = '2025-03-01T10:01:00.000Z';
export const meta = (actor = 'system:detector', now = T1): CommandMetadata => ({ actor, now });

export const detected: AnomalyDetected = {
  type: 'AnomalyDetected',
  data: {
    anomalyId: 'anom-1',
    service: 'payments-api',
    operation: 'POST /charges',
    signal: 'latency_p99',
    expected: 180,
    actual: 950,
    score: 0.97,
    severity: 'error',
    window: { start: '2025-03-01T09:59:00.000Z', end: T0 },
    at: T0,
  },
};

export const detect = (overrides: Partial<DetectAnomaly['data']> = {}, now = T1): DetectAnomaly => ({
  type: 'DetectAnomaly',
  data: {
    anomalyId: 'anom-1',
    service: 'payments-api',
    operation: 'POST /charges',
    signal: 'latency_p99',
    expected: 180,
    actual: 1200,
    score: 0.98,
    severity: 'error',
    window: { start: T0, end: T1 },
    ...overrides,
  },
  metadata: meta('system:detector', now),
});
