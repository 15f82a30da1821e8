import { CancelApproval } from '../commands';
import { ApprovalErrors } from '../errors';
import { ApprovalCancelled } from '../events';
import { ApprovalState } from '../state';
import { requirePending, requireRequested } from './guards';

/** The proposal was withdrawn, or superseded (e.g. by a modification that raised its tier). */
export function cancelApproval(command: CancelApproval, state: ApprovalState): ApprovalCancelled[] {
  const { approvalId, reason, note } = command.data;
  if (requireRequested(state, approvalId).status === 'Cancelled') return [];
  const pending = requirePending(state, approvalId);
  if (reason !== 'superseded' && reason !== 'withdrawn') {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', "reason must be 'superseded' or 'withdrawn'", { field: 'reason' });
  }
  return [
    {
      type: 'ApprovalCancelled',
      data: { approvalId, proposalId: pending.approval.proposalId, reason, by: command.metadata.actor, note, at: command.metadata.now },
    },
  ];
}
