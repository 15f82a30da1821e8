import { defineErrors } from '@vigil/domain/shared';

export const ProposalErrors = defineErrors({
  'PROPOSAL.NOT_FOUND': 'not_found',
  'PROPOSAL.ALREADY_EXISTS': 'conflict',
  'PROPOSAL.INVALID_ACTION': 'invalid',
  'PROPOSAL.INVALID_INPUT': 'invalid',
  'PROPOSAL.STALE_VERSION': 'conflict',
  'PROPOSAL.ALREADY_ASSESSED': 'conflict',
  'PROPOSAL.CLOSED': 'conflict',
});
export type ProposalErrorCode = keyof typeof ProposalErrors.kinds;
