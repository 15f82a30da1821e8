import { compareInstants, isBefore, parseInstant } from '@vigil/domain/shared';
import { ExtendDeadline } from '../commands';
import { ApprovalErrors } from '../errors';
import { ApprovalDeadlineExtended } from '../events';
import { ApprovalState } from '../state';
import { requireRequested } from './guards';

/** Moves the deadline to the next escalation level's. Repeating the same extension, or extending a closed approval, appends nothing. */
export function extendDeadline(command: ExtendDeadline, state: ApprovalState): ApprovalDeadlineExtended[] {
  const { approvalId, newDeadline, level } = command.data;
  const { now, actor } = command.metadata;
  const requested = requireRequested(state, approvalId);
  if (requested.status !== 'Pending') return [];
  if (parseInstant(newDeadline) === undefined) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_DEADLINE', 'newDeadline must be an ISO-8601 instant', { field: 'newDeadline' });
  }
  if (level === requested.level && compareInstants(newDeadline, requested.deadline) === 0) return [];
  if (!Number.isInteger(level) || level < requested.level) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_DEADLINE', `level must be at least the current level ${requested.level}`, { field: 'level' });
  }
  if (!isBefore(requested.deadline, newDeadline) || !isBefore(now, newDeadline)) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_DEADLINE', `newDeadline must be later than the current deadline ${requested.deadline} and than now`, {
      field: 'newDeadline',
    });
  }
  return [{ type: 'ApprovalDeadlineExtended', data: { approvalId, level, previousDeadline: requested.deadline, newDeadline, by: actor, at: now } }];
}
