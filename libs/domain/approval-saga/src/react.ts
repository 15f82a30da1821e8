import { assertNever } from '@vigil/domain/shared';
import { SagaContext } from './context';
import { RecordedEventLike, SagaEvent, asSagaEvent } from './events';
import { Trigger } from './ids';
import { SagaOutput } from './outputs';
import { onAnomalyDetected, onAnomalyEscalatedSeverity, onInvestigationConcluded } from './react/anomaly';
import { onApprovalCancelled, onApprovalExpired, onApprovalGranted, onApprovalRejected, onApprovalTimedOut } from './react/approval';
import { onEscalationLevelReached } from './react/escalation';
import { onCompensationProposed, onExecutionFailed, onExecutionRefused, onExecutionSucceeded, onExecutionVerified } from './react/execution';
import { onProposalClosed, onProposalModified, onRemediationProposed, onRiskAssessed } from './react/proposal';
import { Reaction, reactionFor } from './reaction';

/**
 * The approval saga: what to do about one event of the global log. Pure — the same event and context always give
 * the same outputs, with the same ids, idempotency keys and timer ids — so the host may run it again on an event
 * (after a crash, or from an older checkpoint) without doing anything twice.
 *
 * Commands carry `metadata.now` = the event's `at`, `actor` = `system:saga`, `causationId` = the event id, the
 * event's correlation id, and an idempotency key derived from the event id and the output's purpose.
 */
export function react(recorded: RecordedEventLike, context: SagaContext): SagaOutput[] {
  const event = asSagaEvent(recorded);
  if (!event) return [];
  const r = reactionFor(triggerOf(recorded), context);
  return dispatch(event, r);
}

function dispatch(event: SagaEvent, r: Reaction): SagaOutput[] {
  switch (event.type) {
    case 'AnomalyDetected':
      return onAnomalyDetected(event, r);
    case 'AnomalyEscalatedSeverity':
      return onAnomalyEscalatedSeverity(event, r);
    case 'InvestigationConcluded':
      return onInvestigationConcluded(event, r);
    case 'RemediationProposed':
      return onRemediationProposed(event, r);
    case 'ProposalModified':
      return onProposalModified(event, r);
    case 'RiskAssessed':
      return onRiskAssessed(event, r);
    case 'ProposalWithdrawn':
    case 'ProposalSuperseded':
      return onProposalClosed(event, r);
    case 'ApprovalTimedOut':
      return onApprovalTimedOut(event, r);
    case 'ApprovalGranted':
      return onApprovalGranted(event, r);
    case 'ApprovalRejected':
      return onApprovalRejected(event, r);
    case 'ApprovalCancelled':
      return onApprovalCancelled(event, r);
    case 'ApprovalExpired':
      return onApprovalExpired(event, r);
    case 'EscalationLevelReached':
      return onEscalationLevelReached(event, r);
    case 'ExecutionSucceeded':
      return onExecutionSucceeded(event, r);
    case 'ExecutionFailed':
      return onExecutionFailed(event, r);
    case 'ExecutionRefused':
      return onExecutionRefused(event, r);
    case 'ExecutionVerified':
      return onExecutionVerified(event, r);
    case 'CompensationProposed':
      return onCompensationProposed(event, r);
    default:
      return assertNever(event, 'saga event');
  }
}

function triggerOf(event: RecordedEventLike): Trigger {
  const at = (event.data as { at?: unknown } | null)?.at;
  const now = typeof at === 'string' ? at : event.recordedAt;
  if (!now) throw new TypeError(`approval saga: event ${event.eventId} (${event.type}) has neither data.at nor recordedAt`);
  const correlationId = event.metadata?.correlationId;
  return { eventId: event.eventId, at: now, ...(typeof correlationId === 'string' ? { correlationId } : {}) };
}
