import { meta, requested, spec, started, T10S, T40S } from '../spec-fixtures';

describe('RenewLease / ExpireLease', () => {
  it('renews the lease of the running attempt on a heartbeat', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RenewLease',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseMs: 30_000 },
      metadata: meta('system:worker', T10S),
    }).then([{ type: 'LeaseRenewed', data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: '2025-03-01T11:00:40.000Z', at: T10S } }]);
  });

  it('refuses a heartbeat from a worker that does not own the lease (EXECUTION.NOT_LEASE_OWNER)', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RenewLease',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-b', leaseMs: 30_000 },
      metadata: meta(),
    }).thenThrows('EXECUTION.NOT_LEASE_OWNER');
  });

  it('refuses a heartbeat for an attempt that is over (EXECUTION.STALE_ATTEMPT)', () => {
    spec.given([
      requested, started(1, 'worker-a'),
      { type: 'ExecutionLeaseExpired', data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: '2025-03-01T11:00:30.000Z', at: T40S } },
      started(2, 'worker-b', T40S, '2025-03-01T11:01:10.000Z'),
    ]).when({ type: 'RenewLease', data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseMs: 30_000 }, metadata: meta('system:worker', T40S) })
      .thenThrows('EXECUTION.STALE_ATTEMPT');
  });

  it('lets the owner renew an expired lease that nobody has taken over', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RenewLease',
      data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseMs: 30_000 },
      metadata: meta('system:worker', T40S),
    }).thenMatches((events) => events[0]?.type === 'LeaseRenewed', 'a LeaseRenewed');
  });

  it('refuses to expire a live lease (EXECUTION.LEASE_NOT_EXPIRED)', () => {
    spec.given([requested, started(1, 'worker-a')]).when({ type: 'ExpireLease', data: { executionId: 'exec-1' }, metadata: meta('system:reaper', T10S) })
      .thenThrows('EXECUTION.LEASE_NOT_EXPIRED');
  });

  it('frees the execution for another attempt when an expired lease is reaped', () => {
    spec.given([requested, started(1, 'worker-a')]).when({ type: 'ExpireLease', data: { executionId: 'exec-1' }, metadata: meta('system:reaper', T40S) })
      .then([{ type: 'ExecutionLeaseExpired', data: { executionId: 'exec-1', attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: '2025-03-01T11:00:30.000Z', at: T40S } }]);
  });

  it('fails the execution for good when the lease of the last attempt is reaped', () => {
    spec.given([
      requested, started(1, 'worker-a'),
      { type: 'ExecutionFailed', data: { executionId: 'exec-1', attempt: 1, error: 'timeout', retryable: true, willRetry: true, at: T10S } },
      started(2, 'worker-b', T10S, '2025-03-01T11:00:20.000Z'),
    ]).when({ type: 'ExpireLease', data: { executionId: 'exec-1' }, metadata: meta('system:reaper', T40S) }).then([
      { type: 'ExecutionLeaseExpired', data: { executionId: 'exec-1', attempt: 2, leaseOwner: 'worker-b', leaseExpiresAt: '2025-03-01T11:00:20.000Z', at: T40S } },
      { type: 'ExecutionFailed', data: { executionId: 'exec-1', attempt: 2, error: 'the lease expired and no attempt is left', retryable: true, willRetry: false, at: T40S } },
    ]);
  });
});
