import { defineErrors } from '@vigil/domain/shared';

export const ApprovalErrors = defineErrors({
  'APPROVAL.NOT_FOUND': 'not_found',
  'APPROVAL.ALREADY_EXISTS': 'conflict',
  'APPROVAL.INVALID_INPUT': 'invalid',
  'APPROVAL.INVALID_DEADLINE': 'invalid',
  'APPROVAL.REASON_REQUIRED': 'invalid',
  'APPROVAL.SELF_APPROVAL': 'forbidden',
  'APPROVAL.HUMAN_REQUIRED': 'forbidden',
  'APPROVAL.ROLE_REQUIRED': 'forbidden',
  'APPROVAL.ALREADY_VOTED': 'conflict',
  'APPROVAL.EXPIRED': 'gone',
  'APPROVAL.STALE_VERSION': 'conflict',
  'APPROVAL.CLOSED': 'conflict',
  'APPROVAL.NOT_YET_DUE': 'conflict',
});
export type ApprovalErrorCode = keyof typeof ApprovalErrors.kinds;
