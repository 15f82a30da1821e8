import { DomainError } from '@vigil/domain/shared';
import { ApprovalErrors } from './errors';
import { ApprovalEvent, VoteRefused } from './events';

/**
 * The refusal among the events a CastVote produced, as the DomainError to report — after the events are appended,
 * so the attempt stays in the audit log:
 *
 *   const events = decide(command, state);
 *   await store.append(stream, events, version);
 *   const refusal = refusalOf(events);
 *   if (refusal) throw refusal; // APPROVAL.SELF_APPROVAL → 403, APPROVAL.EXPIRED → 410…
 */
export function refusalOf(events: readonly ApprovalEvent[]): DomainError | undefined {
  const refused = events.find((event): event is VoteRefused => event.type === 'VoteRefused');
  if (!refused) return undefined;
  const { code, message, approvalId, by } = refused.data;
  return ApprovalErrors.raise(code, message, { approvalId, by });
}
