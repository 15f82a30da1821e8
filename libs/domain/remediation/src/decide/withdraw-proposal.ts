import { WithdrawProposal } from '../commands';
import { ProposalWithdrawn } from '../events';
import { RemediationProposalState } from '../state';
import { requireOpenProposal, requireText } from './guards';

export function withdrawProposal(command: WithdrawProposal, state: RemediationProposalState): ProposalWithdrawn[] {
  const { proposalId, reason } = command.data;
  if (state.status === 'Withdrawn') return [];
  requireOpenProposal(state, proposalId);
  requireText(reason, 'reason');
  return [{ type: 'ProposalWithdrawn', data: { proposalId, by: command.metadata.actor, reason, at: command.metadata.now } }];
}
