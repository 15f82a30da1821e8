import { isJsonObject } from '@vigil/domain/shared';
import { RecordExecutionFailure, RecordExecutionSuccess } from '../commands';
import { ExecutionErrors } from '../errors';
import { ExecutionFailed, ExecutionSucceeded } from '../events';
import { ExecutionState } from '../state';
import { requireRunningAttempt, requireText } from './guards';

/** Only the running attempt's lease owner reports its outcome; a repeated report of the same success appends nothing. */
export function recordExecutionSuccess(command: RecordExecutionSuccess, state: ExecutionState): ExecutionSucceeded[] {
  const { executionId, attempt, leaseOwner, result } = command.data;
  if (state.status === 'Succeeded' && state.attempt === attempt) return [];
  requireRunningAttempt(state, executionId, attempt, leaseOwner);
  if (!isJsonObject(result)) throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', 'result must be a JSON object', { field: 'result' });
  return [{ type: 'ExecutionSucceeded', data: { executionId, attempt, result, at: command.metadata.now } }];
}

/** A retryable failure with attempts left frees the execution for another attempt; otherwise the failure is final. */
export function recordExecutionFailure(command: RecordExecutionFailure, state: ExecutionState): ExecutionFailed[] {
  const { executionId, attempt, leaseOwner, error, retryable } = command.data;
  const running = requireRunningAttempt(state, executionId, attempt, leaseOwner);
  requireText(error, 'error');
  if (typeof retryable !== 'boolean') throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', 'retryable must be a boolean', { field: 'retryable' });
  const willRetry = retryable && attempt < running.execution.maxAttempts;
  return [{ type: 'ExecutionFailed', data: { executionId, attempt, error, retryable, willRetry, at: command.metadata.now } }];
}
