import { SupersedeProposal } from '../commands';
import { ProposalErrors } from '../errors';
import { ProposalSuperseded } from '../events';
import { RemediationProposalState } from '../state';
import { requireOpenProposal, requireText } from './guards';

export function supersedeProposal(command: SupersedeProposal, state: RemediationProposalState): ProposalSuperseded[] {
  const { proposalId, supersededBy } = command.data;
  if (state.status === 'Superseded' && state.supersededBy === supersededBy) return [];
  requireOpenProposal(state, proposalId);
  requireText(supersededBy, 'supersededBy');
  if (supersededBy === proposalId) {
    throw ProposalErrors.raise('PROPOSAL.INVALID_INPUT', 'a proposal cannot supersede itself', { field: 'supersededBy' });
  }
  return [{ type: 'ProposalSuperseded', data: { proposalId, supersededBy, by: command.metadata.actor, at: command.metadata.now } }];
}
