import { RemediationAction } from '@vigil/domain/remediation';
import { DomainEvent, JsonObject } from '@vigil/domain/shared';

/** Why the pre-run check (done by the app, before the action runs) stopped an execution. */
export type ExecutionRefusalReason =
  | 'action-hash-mismatch'
  | 'approval-not-granted'
  | 'approval-expired'
  | 'approver-lost-role'
  | 'proposal-withdrawn';
export const EXECUTION_REFUSAL_REASONS: readonly ExecutionRefusalReason[] = [
  'action-hash-mismatch',
  'approval-not-granted',
  'approval-expired',
  'approver-lost-role',
  'proposal-withdrawn',
];

export type ExecutionRequested = DomainEvent<
  'ExecutionRequested',
  {
    readonly executionId: string;
    readonly proposalId: string;
    /** `null` only for an auto-approved tier (the app checks the policy). */
    readonly approvalId: string | null;
    readonly action: RemediationAction;
    readonly actionHash: string;
    /** Passed to the executor so a repeated attempt does not repeat the change. */
    readonly idempotencyKey: string;
    readonly maxAttempts: number;
    readonly requestedBy: string;
    readonly at: string;
  }
>;

export type ExecutionStarted = DomainEvent<
  'ExecutionStarted',
  { readonly executionId: string; readonly attempt: number; readonly leaseOwner: string; readonly leaseExpiresAt: string; readonly at: string }
>;

export type LeaseRenewed = DomainEvent<
  'LeaseRenewed',
  { readonly executionId: string; readonly attempt: number; readonly leaseOwner: string; readonly leaseExpiresAt: string; readonly at: string }
>;

/** The attempt's worker stopped heartbeating; another attempt may start. */
export type ExecutionLeaseExpired = DomainEvent<
  'ExecutionLeaseExpired',
  { readonly executionId: string; readonly attempt: number; readonly leaseOwner: string; readonly leaseExpiresAt: string; readonly at: string }
>;

export type ExecutionSucceeded = DomainEvent<
  'ExecutionSucceeded',
  {
    readonly executionId: string;
    readonly attempt: number;
    /** What the executor reports, including the state before the change (`previousReplicas`, `previousRevision`…). */
    readonly result: JsonObject;
    readonly at: string;
  }
>;

export type ExecutionFailed = DomainEvent<
  'ExecutionFailed',
  {
    readonly executionId: string;
    readonly attempt: number;
    readonly error: string;
    readonly retryable: boolean;
    /** False when this failure is final: not retryable, or no attempt left. */
    readonly willRetry: boolean;
    readonly at: string;
  }
>;

/** The pre-run check failed; the execution is over without running. */
export type ExecutionRefused = DomainEvent<
  'ExecutionRefused',
  { readonly executionId: string; readonly why: ExecutionRefusalReason; readonly detail?: string; readonly by: string; readonly at: string }
>;

/** The anomaly's signal re-checked after the change. */
export type ExecutionVerified = DomainEvent<
  'ExecutionVerified',
  { readonly executionId: string; readonly recovered: boolean; readonly evidence?: JsonObject; readonly at: string }
>;

/** The action that undoes this one; it goes through a proposal and an approval like any other. */
export type CompensationProposed = DomainEvent<
  'CompensationProposed',
  { readonly executionId: string; readonly inverse: RemediationAction; readonly reason: string; readonly by: string; readonly at: string }
>;

export type ExecutionCompensated = DomainEvent<
  'ExecutionCompensated',
  { readonly executionId: string; readonly compensatingExecutionId: string; readonly by: string; readonly at: string }
>;

export type ExecutionEvent =
  | ExecutionRequested
  | ExecutionStarted
  | LeaseRenewed
  | ExecutionLeaseExpired
  | ExecutionSucceeded
  | ExecutionFailed
  | ExecutionRefused
  | ExecutionVerified
  | CompensationProposed
  | ExecutionCompensated;
