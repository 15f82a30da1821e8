import { ProposeRemediation } from '../commands';
import { validateAction } from '../actions';
import { ProposalErrors } from '../errors';
import { RemediationProposed } from '../events';
import { RemediationProposalState } from '../state';
import { requireText } from './guards';

export function proposeRemediation(command: ProposeRemediation, state: RemediationProposalState): [RemediationProposed] {
  const { proposalId, action, rationale, investigationId, anomalyId } = command.data;
  if (state.status !== 'Initial') {
    throw ProposalErrors.raise('PROPOSAL.ALREADY_EXISTS', `proposal ${proposalId} already exists`, { proposalId });
  }
  requireText(proposalId, 'proposalId');
  requireText(rationale, 'rationale');
  const problems = validateAction(action);
  if (problems.length > 0) {
    throw ProposalErrors.raise('PROPOSAL.INVALID_ACTION', problems.map((p) => `${p.field} ${p.message}`).join('; '), {
      field: problems[0].field,
      problems,
    });
  }
  return [
    {
      type: 'RemediationProposed',
      data: {
        proposalId,
        action: { kind: action.kind, target: action.target, params: action.params },
        rationale,
        investigationId,
        anomalyId,
        proposer: command.metadata.actor,
        version: 1,
        at: command.metadata.now,
      },
    },
  ];
}
