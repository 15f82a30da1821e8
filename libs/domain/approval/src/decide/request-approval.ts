import { isRiskTier } from '@vigil/domain/remediation';
import { isBefore, parseInstant } from '@vigil/domain/shared';
import { RequestApproval } from '../commands';
import { ApprovalErrors } from '../errors';
import { ApprovalRequested } from '../events';
import { ApprovalState } from '../state';
import { requireText } from './guards';

export function requestApproval(command: RequestApproval, state: ApprovalState): [ApprovalRequested] {
  const { approvalId, proposalId, proposalVersion, actionHash, tier, requiredRoles, proposer, deadline } = command.data;
  const { now, actor } = command.metadata;
  if (state.status !== 'Initial') {
    throw ApprovalErrors.raise('APPROVAL.ALREADY_EXISTS', `approval ${approvalId} already exists`, { approvalId });
  }
  requireText(approvalId, 'approvalId');
  requireText(proposalId, 'proposalId');
  requireText(actionHash, 'actionHash');
  requireText(proposer, 'proposer');
  if (!Number.isInteger(proposalVersion) || proposalVersion < 1) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', 'proposalVersion must be a positive integer', { field: 'proposalVersion' });
  }
  if (!isRiskTier(tier)) throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', `unknown risk tier ${String(tier)}`, { field: 'tier' });
  const wellFormed =
    Array.isArray(requiredRoles) &&
    requiredRoles.length > 0 &&
    requiredRoles.every((requirement) => Array.isArray(requirement) && requirement.length > 0 && requirement.every((role) => typeof role === 'string' && role !== ''));
  if (!wellFormed) {
    // An approval nobody is required for would be granted by nobody: auto-approved tiers never request one.
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', 'requiredRoles must be a non-empty list of non-empty role lists', { field: 'requiredRoles' });
  }
  if (parseInstant(deadline) === undefined || !isBefore(now, deadline)) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_DEADLINE', 'deadline must be an ISO-8601 instant after metadata.now', { field: 'deadline' });
  }
  return [
    {
      type: 'ApprovalRequested',
      data: { approvalId, proposalId, proposalVersion, actionHash, tier, requiredRoles, proposer, deadline, requestedBy: actor, at: now },
    },
  ];
}
