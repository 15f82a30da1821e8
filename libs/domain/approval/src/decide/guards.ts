import { ApprovalErrors } from '../errors';
import { ApprovalState, PendingApproval } from '../state';

export type RequestedApproval = Exclude<ApprovalState, { status: 'Initial' }>;

export function requireRequested(state: ApprovalState, approvalId: string): RequestedApproval {
  if (state.status === 'Initial') throw ApprovalErrors.raise('APPROVAL.NOT_FOUND', `approval ${approvalId} does not exist`, { approvalId });
  return state;
}

export function requirePending(state: ApprovalState, approvalId: string): PendingApproval {
  const requested = requireRequested(state, approvalId);
  if (requested.status !== 'Pending') {
    throw ApprovalErrors.raise('APPROVAL.CLOSED', `approval ${approvalId} is ${requested.status.toLowerCase()}`, {
      approvalId,
      status: requested.status,
    });
  }
  return requested;
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
  return value;
}
