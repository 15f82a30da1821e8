import { ExecutionFailed } from '../events';
import { meta, requested, spec, started, succeeded, T10S, T40S } from '../spec-fixtures';

const failedRetryably: ExecutionFailed = { type: 'ExecutionFailed', data: { executionId: 'exec-1', attempt: 1, error: 'apiserver 503', retryable: true, willRetry: true, at: T10S } };

describe('RecordExecutionSuccess / RecordExecutionFailure', () => {
  it('records the success of the running attempt with what the executor reported', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RecordExecutionSuccess',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', result: { previousReplicas: 3, replicas: 6 } },
      metadata: meta('system:worker', T10S),
    }).then([succeeded]);
  });

  it('appends nothing when the same success is reported twice', () => {
    spec.given([requested, started(1, 'worker-a'), succeeded]).when({
      type: 'RecordExecutionSuccess',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', result: { previousReplicas: 3, replicas: 6 } },
      metadata: meta(),
    }).then([]);
  });

  it('refuses an outcome from a worker whose attempt was taken over (EXECUTION.STALE_ATTEMPT)', () => {
    spec.given([
      requested, started(1, 'worker-a'),
      { type: 'ExecutionLeaseExpired', data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: '2025-03-01T11:00:30.000Z', at: T40S } },
      started(2, 'worker-b', T40S, '2025-03-01T11:01:10.000Z'),
    ]).when({
      type: 'RecordExecutionSuccess',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', result: {} },
      metadata: meta('system:worker', T40S),
    }).thenThrows('EXECUTION.STALE_ATTEMPT');
  });

  it('a retryable failure with attempts left will be retried, and a new attempt can start', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RecordExecutionFailure',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', error: 'apiserver 503', retryable: true },
      metadata: meta('system:worker', T10S),
    }).then([failedRetryably]);
    spec.given([requested, started(1, 'worker-a'), failedRetryably]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-b', leaseMs: 30_000 },
      metadata: meta('system:worker', T10S),
    }).thenMatches((events) => events[0]?.type === 'ExecutionStarted' && events[0].data.attempt === 2, 'attempt 2 started');
  });

  it('a retryable failure of the last attempt is final', () => {
    spec.given([requested, started(1, 'worker-a'), failedRetryably, started(2, 'worker-b', T10S)]).when({
      type: 'RecordExecutionFailure',
      data: { executionId: 'exec-1', attempt: 2, leaseOwner: 'worker-b', error: 'apiserver 503', retryable: true },
      metadata: meta('system:worker', T10S),
    }).thenMatches((events) => events[0]?.type === 'ExecutionFailed' && events[0].data.willRetry === false, 'a final failure');
  });

  it('a failure that is not retryable is final, and nothing starts after it (EXECUTION.CLOSED)', () => {
    const final: ExecutionFailed = { type: 'ExecutionFailed', data: { executionId: 'exec-1', attempt: 1, error: 'deployment not found', retryable: false, willRetry: false, at: T10S } };
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RecordExecutionFailure',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', error: 'deployment not found', retryable: false },
      metadata: meta('system:worker', T10S),
    }).then([final]);
    spec.given([requested, started(1, 'worker-a'), final]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-b', leaseMs: 30_000 },
      metadata: meta('system:worker', T40S),
    }).thenThrows('EXECUTION.CLOSED');
  });
});
