import { RemediationAction } from '@vigil/domain/remediation';
import { DomainCommand, JsonObject } from '@vigil/domain/shared';
import { ExecutionRefusalReason } from './events';

export type RequestExecution = DomainCommand<
  'RequestExecution',
  {
    readonly executionId: string;
    readonly proposalId: string;
    readonly approvalId: string | null;
    readonly action: RemediationAction;
    readonly actionHash: string;
    readonly idempotencyKey: string;
    readonly maxAttempts: number;
  }
>;

/** Takes the lease for a new attempt: `leaseExpiresAt = metadata.now + leaseMs`. */
export type StartExecution = DomainCommand<'StartExecution', { readonly executionId: string; readonly leaseOwner: string; readonly leaseMs: number }>;

/** The heartbeat of the running attempt. */
export type RenewLease = DomainCommand<
  'RenewLease',
  { readonly executionId: string; readonly attempt: number; readonly leaseOwner: string; readonly leaseMs: number }
>;

/** Sent by a reaper for an attempt whose lease ran out. */
export type ExpireLease = DomainCommand<'ExpireLease', { readonly executionId: string }>;

export type RecordExecutionSuccess = DomainCommand<
  'RecordExecutionSuccess',
  { readonly executionId: string; readonly attempt: number; readonly leaseOwner: string; readonly result: JsonObject }
>;

export type RecordExecutionFailure = DomainCommand<
  'RecordExecutionFailure',
  { readonly executionId: string; readonly attempt: number; readonly leaseOwner: string; readonly error: string; readonly retryable: boolean }
>;

/** Records a failed pre-run check. `leaseOwner` when the checking worker holds the lease. */
export type RefuseExecution = DomainCommand<
  'RefuseExecution',
  { readonly executionId: string; readonly why: ExecutionRefusalReason; readonly detail?: string; readonly leaseOwner?: string }
>;

export type VerifyExecution = DomainCommand<'VerifyExecution', { readonly executionId: string; readonly recovered: boolean; readonly evidence?: JsonObject }>;

export type ProposeCompensation = DomainCommand<'ProposeCompensation', { readonly executionId: string; readonly reason: string }>;

export type RecordCompensation = DomainCommand<'RecordCompensation', { readonly executionId: string; readonly compensatingExecutionId: string }>;

export type ExecutionCommand =
  | RequestExecution
  | StartExecution
  | RenewLease
  | ExpireLease
  | RecordExecutionSuccess
  | RecordExecutionFailure
  | RefuseExecution
  | VerifyExecution
  | ProposeCompensation
  | RecordCompensation;
