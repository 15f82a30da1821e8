import { defineErrors } from '@vigil/domain/shared';

export const ChangeErrors = defineErrors({
  'CHANGE.INVALID_INPUT': 'invalid',
  'CHANGE.CONFLICTING_REPORT': 'conflict',
});
export type ChangeErrorCode = keyof typeof ChangeErrors.kinds;
