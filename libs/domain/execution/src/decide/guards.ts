import { isBefore } from '@vigil/domain/shared';
import { ExecutionErrors } from '../errors';
import { ExecutionState, SucceededExecution } from '../state';

export type RequestedExecution = Exclude<ExecutionState, { status: 'Initial' }>;
export type RunningExecution = Extract<ExecutionState, { status: 'Running' }>;

export function requireRequested(state: ExecutionState, executionId: string): RequestedExecution {
  if (state.status === 'Initial') throw ExecutionErrors.raise('EXECUTION.NOT_FOUND', `execution ${executionId} does not exist`, { executionId });
  return state;
}

export const closed = (state: RequestedExecution) =>
  ExecutionErrors.raise('EXECUTION.CLOSED', `execution ${state.execution.executionId} is ${state.status}`, {
    executionId: state.execution.executionId,
    status: state.status,
  });

/**
 * A lease is lost only when another attempt starts: once it expires another worker may start one, but until then
 * the owner may still renew it and report its outcome (optimistic concurrency on the stream settles the race).
 */
export function requireRunningAttempt(state: ExecutionState, executionId: string, attempt: number, leaseOwner: string): RunningExecution {
  const requested = requireRequested(state, executionId);
  if (requested.status !== 'Running') {
    if (requested.status === 'Requested' || requested.status === 'AwaitingRetry') {
      throw ExecutionErrors.raise('EXECUTION.NOT_RUNNING', `no attempt of execution ${executionId} is running`, { executionId, attempt });
    }
    throw closed(requested);
  }
  if (attempt !== requested.attempt) {
    throw ExecutionErrors.raise('EXECUTION.STALE_ATTEMPT', `attempt ${attempt} is over; attempt ${requested.attempt} is running`, {
      executionId,
      attempt,
      currentAttempt: requested.attempt,
    });
  }
  if (leaseOwner !== requested.leaseOwner) {
    throw ExecutionErrors.raise('EXECUTION.NOT_LEASE_OWNER', `attempt ${attempt} is leased to ${requested.leaseOwner}`, {
      executionId,
      leaseOwner: requested.leaseOwner,
    });
  }
  return requested;
}

export const leaseIsLive = (running: RunningExecution, now: string): boolean => isBefore(now, running.leaseExpiresAt);

/** Succeeded, verified, or with a compensation proposed: the action ran. */
export function requireSucceeded(state: ExecutionState, executionId: string): SucceededExecution {
  const requested = requireRequested(state, executionId);
  switch (requested.status) {
    case 'Succeeded':
    case 'Verified':
    case 'CompensationProposed':
      return requested;
    case 'Compensated':
      throw closed(requested);
    default:
      throw ExecutionErrors.raise('EXECUTION.NOT_SUCCEEDED', `execution ${executionId} is ${requested.status}, not succeeded`, {
        executionId,
        status: requested.status,
      });
  }
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
  return value;
}

export function requireLeaseMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', 'leaseMs must be a positive integer', { field: 'leaseMs' });
  }
  return value;
}
