import { ProposalErrors } from '../errors';
import { OpenProposalState, RemediationProposalState } from '../state';

export function requireOpenProposal(state: RemediationProposalState, proposalId: string): OpenProposalState {
  switch (state.status) {
    case 'Initial':
      throw ProposalErrors.raise('PROPOSAL.NOT_FOUND', `proposal ${proposalId} does not exist`, { proposalId });
    case 'Withdrawn':
    case 'Superseded':
      throw ProposalErrors.raise('PROPOSAL.CLOSED', `proposal ${proposalId} is ${state.status.toLowerCase()}`, {
        proposalId,
        status: state.status,
      });
    default:
      return state;
  }
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw ProposalErrors.raise('PROPOSAL.INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
  return value;
}
