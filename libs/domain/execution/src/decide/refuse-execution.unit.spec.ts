import { ExecutionRefused } from '../events';
import { meta, requested, spec, started, T10S } from '../spec-fixtures';

const refused: ExecutionRefused = {
  type: 'ExecutionRefused',
  data: { executionId: 'exec-1', why: 'approver-lost-role', detail: 'maria no longer holds manager', by: 'system:worker', at: T10S },
};

describe('RefuseExecution', () => {
  it('records a failed pre-run check and ends the execution without running it', () => {
    spec.given([requested]).when({
      type: 'RefuseExecution',
      data: { executionId: 'exec-1', why: 'approver-lost-role', detail: 'maria no longer holds manager' },
      metadata: meta('system:worker', T10S),
    }).then([refused]);
  });

  it('lets the lease owner refuse after taking the lease, before running', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RefuseExecution',
      data: { executionId: 'exec-1', why: 'action-hash-mismatch', leaseOwner: 'worker-a' },
      metadata: meta('system:worker', T10S),
    }).thenMatches((events) => events[0]?.type === 'ExecutionRefused' && events[0].data.why === 'action-hash-mismatch', 'a refusal');
  });

  it('refuses a refusal from a worker that does not hold the live lease (EXECUTION.LEASE_HELD)', () => {
    spec.given([requested, started(1, 'worker-a')]).when({
      type: 'RefuseExecution',
      data: { executionId: 'exec-1', why: 'approval-expired', leaseOwner: 'worker-b' },
      metadata: meta('system:worker', T10S),
    }).thenThrows('EXECUTION.LEASE_HELD');
  });

  it('makes the execution terminal: nothing starts after a refusal', () => {
    spec.given([requested, refused]).when({ type: 'StartExecution', data: { executionId: 'exec-1', leaseOwner: 'worker-a', leaseMs: 30_000 }, metadata: meta() })
      .thenThrows('EXECUTION.CLOSED');
  });
});
