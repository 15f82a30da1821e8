import { assertNever } from '@vigil/domain/shared';
import { ExecutionEvent } from './events';
import { ExecutionState } from './state';

export function evolve(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  if (event.type === 'ExecutionRequested') {
    const { requestedBy: _by, at: _at, ...execution } = event.data;
    return { status: 'Requested', execution };
  }
  if (state.status === 'Initial') return state;
  const { execution } = state;
  switch (event.type) {
    case 'ExecutionStarted':
    case 'LeaseRenewed': {
      const { attempt, leaseOwner, leaseExpiresAt } = event.data;
      return { status: 'Running', execution, attempt, leaseOwner, leaseExpiresAt };
    }
    case 'ExecutionLeaseExpired':
      return { status: 'AwaitingRetry', execution, attempt: event.data.attempt, lastError: 'lease expired' };
    case 'ExecutionSucceeded':
      return { status: 'Succeeded', execution, attempt: event.data.attempt, result: event.data.result };
    case 'ExecutionFailed': {
      const { attempt, error, willRetry } = event.data;
      return willRetry ? { status: 'AwaitingRetry', execution, attempt, lastError: error } : { status: 'Failed', execution, attempt, error };
    }
    case 'ExecutionRefused':
      return { status: 'Refused', execution, why: event.data.why };
    case 'ExecutionVerified':
      return state.status === 'Succeeded' ? { ...state, status: 'Verified', recovered: event.data.recovered } : state;
    case 'CompensationProposed':
      return state.status === 'Succeeded' || state.status === 'Verified'
        ? { status: 'CompensationProposed', execution, attempt: state.attempt, result: state.result, inverse: event.data.inverse }
        : state;
    case 'ExecutionCompensated':
      return { status: 'Compensated', execution, compensatingExecutionId: event.data.compensatingExecutionId };
    default:
      return assertNever(event, 'execution event');
  }
}
