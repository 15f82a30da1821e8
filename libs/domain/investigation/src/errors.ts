import { defineErrors } from '@vigil/domain/shared';

export const InvestigationErrors = defineErrors({
  'INVESTIGATION.NOT_FOUND': 'not_found',
  'INVESTIGATION.ALREADY_EXISTS': 'conflict',
  'INVESTIGATION.INVALID_INPUT': 'invalid',
  'INVESTIGATION.UNKNOWN_FINDING': 'invalid',
  'INVESTIGATION.CLOSED': 'conflict',
  'INVESTIGATION.TICKET_ALREADY_LINKED': 'conflict',
});
export type InvestigationErrorCode = keyof typeof InvestigationErrors.kinds;
