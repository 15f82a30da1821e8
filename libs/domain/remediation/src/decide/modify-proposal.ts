import { isJsonObject } from '@vigil/domain/shared';
import { validateAction } from '../actions';
import { ModifyProposal } from '../commands';
import { ProposalErrors } from '../errors';
import { ProposalModified } from '../events';
import { RemediationProposalState } from '../state';
import { requireOpenProposal } from './guards';

/**
 * Changes the action's params and bumps the version. The new version has no tier until it is assessed again,
 * and its action hash differs, so no approval of an earlier version can authorise it.
 */
export function modifyProposal(command: ModifyProposal, state: RemediationProposalState): [ProposalModified] {
  const { proposalId, baseVersion, changes, approvalId } = command.data;
  const { proposal } = requireOpenProposal(state, proposalId);
  if (baseVersion !== proposal.version) {
    throw ProposalErrors.raise('PROPOSAL.STALE_VERSION', `proposal ${proposalId} is at version ${proposal.version}, not ${baseVersion}`, {
      proposalId,
      currentVersion: proposal.version,
      version: baseVersion,
    });
  }
  if (!isJsonObject(changes) || Object.keys(changes).length === 0) {
    throw ProposalErrors.raise('PROPOSAL.INVALID_INPUT', 'changes must be a non-empty JSON object', { field: 'changes' });
  }
  const params = { ...proposal.action.params, ...changes };
  const problems = validateAction({ ...proposal.action, params });
  if (problems.length > 0) {
    throw ProposalErrors.raise('PROPOSAL.INVALID_ACTION', problems.map((p) => `${p.field} ${p.message}`).join('; '), {
      field: problems[0].field,
      problems,
    });
  }
  return [
    {
      type: 'ProposalModified',
      data: {
        proposalId,
        by: command.metadata.actor,
        changes,
        params,
        previousVersion: proposal.version,
        newVersion: proposal.version + 1,
        approvalId,
        at: command.metadata.now,
      },
    },
  ];
}
