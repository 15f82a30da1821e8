import { addMilliseconds, assertNever } from '@vigil/domain/shared';
import { StartExecution } from '../commands';
import { ExecutionErrors } from '../errors';
import { ExecutionEvent, ExecutionLeaseExpired, ExecutionStarted } from '../events';
import { ExecutionState } from '../state';
import { RunningExecution, closed, leaseIsLive, requireLeaseMs, requireRequested, requireText } from './guards';

/**
 * Takes the lease for the next attempt. A live lease held by another worker is refused (EXECUTION.LEASE_HELD);
 * an expired one is recorded as lost and a new attempt starts, up to `maxAttempts`.
 */
export function startExecution(command: StartExecution, state: ExecutionState): ExecutionEvent[] {
  const { executionId, leaseOwner, leaseMs } = command.data;
  const { now } = command.metadata;
  const requested = requireRequested(state, executionId);
  requireText(leaseOwner, 'leaseOwner');
  requireLeaseMs(leaseMs);
  const started = (attempt: number): ExecutionStarted => ({
    type: 'ExecutionStarted',
    data: { executionId, attempt, leaseOwner, leaseExpiresAt: addMilliseconds(now, leaseMs), at: now },
  });
  switch (requested.status) {
    case 'Requested':
      return [started(1)];
    case 'AwaitingRetry':
      return [started(requested.attempt + 1)];
    case 'Running': {
      if (requested.leaseOwner === leaseOwner) return [];
      if (leaseIsLive(requested, now)) {
        throw ExecutionErrors.raise('EXECUTION.LEASE_HELD', `attempt ${requested.attempt} is leased to ${requested.leaseOwner} until ${requested.leaseExpiresAt}`, {
          executionId,
          leaseOwner: requested.leaseOwner,
          leaseExpiresAt: requested.leaseExpiresAt,
        });
      }
      if (requested.attempt >= requested.execution.maxAttempts) {
        throw ExecutionErrors.raise('EXECUTION.ATTEMPTS_EXHAUSTED', `all ${requested.execution.maxAttempts} attempts are used`, { executionId });
      }
      return [leaseExpired(requested, now), started(requested.attempt + 1)];
    }
    case 'Succeeded':
    case 'Verified':
    case 'CompensationProposed':
    case 'Compensated':
    case 'Failed':
    case 'Refused':
      throw closed(requested);
    default:
      return assertNever(requested, 'execution status');
  }
}

export function leaseExpired(running: RunningExecution, now: string): ExecutionLeaseExpired {
  const { attempt, leaseOwner, leaseExpiresAt } = running;
  return { type: 'ExecutionLeaseExpired', data: { executionId: running.execution.executionId, attempt, leaseOwner, leaseExpiresAt, at: now } };
}
