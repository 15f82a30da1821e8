import { ExpireLease } from '../commands';
import { ExecutionErrors } from '../errors';
import { ExecutionEvent } from '../events';
import { ExecutionState } from '../state';
import { leaseIsLive, requireRequested } from './guards';
import { leaseExpired } from './start-execution';

/** The reaper's view: a lost lease frees the execution for a retry, or fails it when no attempt is left. */
export function expireLease(command: ExpireLease, state: ExecutionState): ExecutionEvent[] {
  const { executionId } = command.data;
  const { now } = command.metadata;
  const requested = requireRequested(state, executionId);
  if (requested.status !== 'Running') return [];
  if (leaseIsLive(requested, now)) {
    throw ExecutionErrors.raise('EXECUTION.LEASE_NOT_EXPIRED', `the lease of attempt ${requested.attempt} runs until ${requested.leaseExpiresAt}`, {
      executionId,
      leaseExpiresAt: requested.leaseExpiresAt,
    });
  }
  const expired = leaseExpired(requested, now);
  if (requested.attempt < requested.execution.maxAttempts) return [expired];
  return [
    expired,
    {
      type: 'ExecutionFailed',
      data: { executionId, attempt: requested.attempt, error: 'the lease expired and no attempt is left', retryable: true, willRetry: false, at: now },
    },
  ];
}
