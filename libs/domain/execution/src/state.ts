import { RemediationAction } from '@vigil/domain/remediation';
import { JsonObject } from '@vigil/domain/shared';
import { ExecutionRefusalReason } from './events';

export interface ExecutionRecord {
  readonly executionId: string;
  readonly proposalId: string;
  readonly approvalId: string | null;
  readonly action: RemediationAction;
  readonly actionHash: string;
  readonly idempotencyKey: string;
  readonly maxAttempts: number;
}

interface Lease {
  readonly attempt: number;
  readonly leaseOwner: string;
  readonly leaseExpiresAt: string;
}

interface Outcome {
  readonly attempt: number;
  readonly result: JsonObject;
}

export type ExecutionState =
  | { readonly status: 'Initial' }
  | { readonly status: 'Requested'; readonly execution: ExecutionRecord }
  | ({ readonly status: 'Running'; readonly execution: ExecutionRecord } & Lease)
  /** The last attempt failed retryably or lost its lease, and attempts remain. */
  | { readonly status: 'AwaitingRetry'; readonly execution: ExecutionRecord; readonly attempt: number; readonly lastError: string }
  | ({ readonly status: 'Succeeded'; readonly execution: ExecutionRecord } & Outcome)
  | ({ readonly status: 'Verified'; readonly execution: ExecutionRecord; readonly recovered: boolean } & Outcome)
  | ({ readonly status: 'CompensationProposed'; readonly execution: ExecutionRecord; readonly inverse: RemediationAction } & Outcome)
  | { readonly status: 'Compensated'; readonly execution: ExecutionRecord; readonly compensatingExecutionId: string }
  | { readonly status: 'Failed'; readonly execution: ExecutionRecord; readonly attempt: number; readonly error: string }
  | { readonly status: 'Refused'; readonly execution: ExecutionRecord; readonly why: ExecutionRefusalReason };

export type ExecutionStatus = ExecutionState['status'];
export type SucceededExecution = Extract<ExecutionState, { status: 'Succeeded' | 'Verified' | 'CompensationProposed' }>;

/** No attempt will run again. */
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ['Succeeded', 'Verified', 'CompensationProposed', 'Compensated', 'Failed', 'Refused'];

export const initialExecutionState = (): ExecutionState => ({ status: 'Initial' });
