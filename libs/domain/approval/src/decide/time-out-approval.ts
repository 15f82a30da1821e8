import { compareInstants, isBefore } from '@vigil/domain/shared';
import { ExpireApproval, TimeOutApproval } from '../commands';
import { ApprovalErrors } from '../errors';
import { ApprovalExpired, ApprovalTimedOut } from '../events';
import { ApprovalState, PendingApproval } from '../state';
import { requireRequested } from './guards';

/**
 * The deadline timer fired. The approval stays pending: the saga escalates and extends the deadline, or expires it
 * after the last level. A timer that lost the race with a decision, or fires twice, appends nothing.
 */
export function timeOutApproval(command: TimeOutApproval, state: ApprovalState): ApprovalTimedOut[] {
  const pending = dueApproval(command, state);
  if (!pending) return [];
  const { deadline, level, timedOutDeadline } = pending;
  if (timedOutDeadline !== undefined && compareInstants(timedOutDeadline, deadline) === 0) return [];
  const { approvalId, proposalId } = pending.approval;
  return [{ type: 'ApprovalTimedOut', data: { approvalId, proposalId, level, deadline, at: command.metadata.now } }];
}

/** The last escalation level passed with nobody deciding. */
export function expireApproval(command: ExpireApproval, state: ApprovalState): ApprovalExpired[] {
  const pending = dueApproval(command, state);
  if (!pending) return [];
  const { approvalId, proposalId } = pending.approval;
  return [{ type: 'ApprovalExpired', data: { approvalId, proposalId, level: pending.level, deadline: pending.deadline, at: command.metadata.now } }];
}

function dueApproval(command: TimeOutApproval | ExpireApproval, state: ApprovalState): PendingApproval | undefined {
  const requested = requireRequested(state, command.data.approvalId);
  if (requested.status !== 'Pending') return undefined;
  if (isBefore(command.metadata.now, requested.deadline)) {
    throw ApprovalErrors.raise('APPROVAL.NOT_YET_DUE', `approval ${command.data.approvalId} is due at ${requested.deadline}`, {
      approvalId: command.data.approvalId,
      deadline: requested.deadline,
    });
  }
  return requested;
}
