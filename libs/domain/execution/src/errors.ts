import { defineErrors } from '@vigil/domain/shared';

export const ExecutionErrors = defineErrors({
  'EXECUTION.NOT_FOUND': 'not_found',
  'EXECUTION.ALREADY_EXISTS': 'conflict',
  'EXECUTION.INVALID_INPUT': 'invalid',
  'EXECUTION.LEASE_HELD': 'conflict',
  'EXECUTION.LEASE_NOT_EXPIRED': 'conflict',
  'EXECUTION.NOT_LEASE_OWNER': 'conflict',
  'EXECUTION.STALE_ATTEMPT': 'conflict',
  'EXECUTION.NOT_RUNNING': 'conflict',
  'EXECUTION.ATTEMPTS_EXHAUSTED': 'conflict',
  'EXECUTION.NOT_SUCCEEDED': 'conflict',
  'EXECUTION.ALREADY_VERIFIED': 'conflict',
  'EXECUTION.NO_INVERSE': 'unprocessable',
  'EXECUTION.CLOSED': 'conflict',
});
export type ExecutionErrorCode = keyof typeof ExecutionErrors.kinds;
