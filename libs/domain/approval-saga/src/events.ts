import { AnomalyDetected, AnomalyEscalatedSeverity } from '@vigil/domain/anomaly';
import { ApprovalCancelled, ApprovalExpired, ApprovalGranted, ApprovalRejected, ApprovalTimedOut } from '@vigil/domain/approval';
import { EscalationLevelReached } from '@vigil/domain/escalation';
import { CompensationProposed, ExecutionFailed, ExecutionRefused, ExecutionSucceeded, ExecutionVerified } from '@vigil/domain/execution';
import { InvestigationConcluded } from '@vigil/domain/investigation';
import { ProposalModified, ProposalSuperseded, ProposalWithdrawn, RemediationProposed, RiskAssessed } from '@vigil/domain/remediation';

/** What the saga needs of a stored event: the event store's RecordedEvent satisfies it. */
export interface RecordedEventLike {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly streamId?: string;
  readonly recordedAt?: string;
  readonly metadata?: { readonly correlationId?: string; readonly [key: string]: unknown };
}

/** The events the saga reacts to. */
export type SagaEvent =
  | AnomalyDetected
  | AnomalyEscalatedSeverity
  | InvestigationConcluded
  | RemediationProposed
  | ProposalModified
  | RiskAssessed
  | ProposalWithdrawn
  | ProposalSuperseded
  | ApprovalGranted
  | ApprovalRejected
  | ApprovalCancelled
  | ApprovalTimedOut
  | ApprovalExpired
  | EscalationLevelReached
  | ExecutionSucceeded
  | ExecutionFailed
  | ExecutionRefused
  | ExecutionVerified
  | CompensationProposed;

export type SagaEventType = SagaEvent['type'];

const SAGA_EVENT_TYPES: readonly SagaEventType[] = [
  'AnomalyDetected',
  'AnomalyEscalatedSeverity',
  'InvestigationConcluded',
  'RemediationProposed',
  'ProposalModified',
  'RiskAssessed',
  'ProposalWithdrawn',
  'ProposalSuperseded',
  'ApprovalGranted',
  'ApprovalRejected',
  'ApprovalCancelled',
  'ApprovalTimedOut',
  'ApprovalExpired',
  'EscalationLevelReached',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionRefused',
  'ExecutionVerified',
  'CompensationProposed',
];

/** True for the event types the saga reacts to; the host skips the rest without loading anything. */
export const isSagaEventType = (type: string): type is SagaEventType => (SAGA_EVENT_TYPES as readonly string[]).includes(type);

export const asSagaEvent = (event: RecordedEventLike): SagaEvent | undefined =>
  isSagaEventType(event.type) ? ({ type: event.type, data: event.data } as SagaEvent) : undefined;
