import { ExecutionFailed } from '../events';
import { meta, requested, spec, started, succeeded, T0, T10S, T40S } from '../spec-fixtures';

describe('RequestExecution / StartExecution', () => {
  it('records the request with its approval, action, action hash and idempotency key', () => {
    const { executionId, proposalId, approvalId, action, actionHash, idempotencyKey, maxAttempts } = requested.data;
    spec.given([]).when({
      type: 'RequestExecution',
      data: { executionId, proposalId, approvalId, action, actionHash, idempotencyKey, maxAttempts },
      metadata: meta('system:saga', T0),
    }).then([requested]);
  });

  it('refuses a request without a positive number of attempts', () => {
    const { executionId, proposalId, approvalId, action, actionHash, idempotencyKey } = requested.data;
    spec.given([]).when({
      type: 'RequestExecution',
      data: { executionId, proposalId, approvalId, action, actionHash, idempotencyKey, maxAttempts: 0 },
      metadata: meta('system:saga', T0),
    }).thenThrows('EXECUTION.INVALID_INPUT');
  });

  it('starts attempt 1 with a lease that expires leaseMs after now', () => {
    spec.given([requested]).when({ type: 'StartExecution', data: { executionId: 'exec-1', leaseOwner: 'worker-a', leaseMs: 30_000 }, metadata: meta('system:worker', T0) })
      .then([started(1, 'worker-a')]);
  });

  it('refuses a start while another worker holds a live lease (EXECUTION.LEASE_HELD)', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-b', leaseMs: 30_000 },
      metadata: meta('system:worker', T10S),
    }).thenThrows('EXECUTION.LEASE_HELD');
  });

  it('appends nothing when the lease owner starts again', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-a', leaseMs: 30_000 },
      metadata: meta('system:worker', T10S),
    }).then([]);
  });

  it('lets another worker start a new attempt once the lease expired, recording the lost lease', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-b', leaseMs: 30_000 },
      metadata: meta('system:worker', T40S),
    }).then([
      { type: 'ExecutionLeaseExpired', data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: '2025-03-01T11:00:30.000Z', at: T40S } },
      started(2, 'worker-b', T40S, '2025-03-01T11:01:10.000Z'),
    ]);
  });

  it('refuses a new attempt over an expired lease when no attempt is left (EXECUTION.ATTEMPTS_EXHAUSTED)', () => {
    const failed1: ExecutionFailed = { type: 'ExecutionFailed', data: { executionId: 'exec-1', attempt: 1, error: 'timeout', retryable: true, willRetry: true, at: T10S } };
    spec.given([requested, started(1, 'worker-a'), failed1, started(2, 'worker-b', T10S, '2025-03-01T11:00:20.000Z')]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-c', leaseMs: 30_000 },
      metadata: meta('system:worker', T40S),
    }).thenThrows('EXECUTION.ATTEMPTS_EXHAUSTED');
  });

  it('never starts an execution that succeeded: the action runs once (EXECUTION.CLOSED)', () => {
    spec.given([requested, started(1, 'worker-a'), succeeded]).when({
      type: 'StartExecution',
      data: { executionId: 'exec-1', leaseOwner: 'worker-b', leaseMs: 30_000 },
      metadata: meta('system:worker', T40S),
    }).thenThrows('EXECUTION.CLOSED');
  });

  it('refuses to start an execution that was never requested (EXECUTION.NOT_FOUND)', () => {
    spec.given([]).when({ type: 'StartExecution', data: { executionId: 'exec-1', leaseOwner: 'worker-a', leaseMs: 30_000 }, metadata: meta() })
      .thenThrows('EXECUTION.NOT_FOUND');
  });
});
