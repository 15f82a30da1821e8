import { defineErrors } from '@vigil/domain/shared';

export const AnomalyErrors = defineErrors({
  'ANOMALY.NOT_FOUND': 'not_found',
  'ANOMALY.INVALID_INPUT': 'invalid',
  'ANOMALY.KEY_MISMATCH': 'conflict',
  'ANOMALY.CLOSED': 'conflict',
  'ANOMALY.SUPPRESSED': 'conflict',
  'ANOMALY.SEVERITY_NOT_HIGHER': 'conflict',
});
export type AnomalyErrorCode = keyof typeof AnomalyErrors.kinds;
