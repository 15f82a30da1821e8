import { defineErrors } from '@vigil/domain/shared';

export const EscalationErrors = defineErrors({
  'ESCALATION.NOT_FOUND': 'not_found',
  'ESCALATION.ALREADY_STARTED': 'conflict',
  'ESCALATION.INVALID_LEVELS': 'invalid',
  'ESCALATION.INVALID_INPUT': 'invalid',
  'ESCALATION.LEVEL_OUT_OF_ORDER': 'conflict',
  'ESCALATION.LEVEL_NOT_REACHED': 'conflict',
  'ESCALATION.CLOSED': 'conflict',
});
export type EscalationErrorCode = keyof typeof EscalationErrors.kinds;
