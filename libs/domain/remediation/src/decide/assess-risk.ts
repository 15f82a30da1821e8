import { AssessRisk } from '../commands';
import { ProposalErrors } from '../errors';
import { RiskAssessed } from '../events';
import { isRiskTier } from '../risk';
import { RemediationProposalState } from '../state';
import { requireOpenProposal } from './guards';

/** A tier is given to one version; a modified proposal is a new version and needs its own assessment. */
export function assessRisk(command: AssessRisk, state: RemediationProposalState): [RiskAssessed] {
  const { proposalId, version, tier, factors, blastRadius, dryRun } = command.data;
  const open = requireOpenProposal(state, proposalId);
  if (version !== open.proposal.version) {
    throw ProposalErrors.raise('PROPOSAL.STALE_VERSION', `proposal ${proposalId} is at version ${open.proposal.version}, not ${version}`, {
      proposalId,
      currentVersion: open.proposal.version,
      version,
    });
  }
  if (open.status === 'Assessed') {
    throw ProposalErrors.raise('PROPOSAL.ALREADY_ASSESSED', `version ${version} of proposal ${proposalId} is already assessed`, {
      proposalId,
      version,
      tier: open.assessment.tier,
    });
  }
  if (!isRiskTier(tier)) throw ProposalErrors.raise('PROPOSAL.INVALID_INPUT', `unknown risk tier ${String(tier)}`, { field: 'tier' });
  if (!Array.isArray(factors)) throw ProposalErrors.raise('PROPOSAL.INVALID_INPUT', 'factors must be a list', { field: 'factors' });
  return [
    {
      type: 'RiskAssessed',
      data: { proposalId, version, tier, factors, blastRadius, dryRun, assessedBy: command.metadata.actor, at: command.metadata.now },
    },
  ];
}
