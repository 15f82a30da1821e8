import { DataSource } from 'typeorm';
import { PostgresFixture } from '../../../event-store/src/postgres/postgres-fixture';
import { ProjectionRunner } from '../projection-runner/projection-runner';
import { readModelChecksum, rebuildProjection } from '../projection-runner/rebuild-projection';
import { Ids, Story, actionHash, applyAllDirectly, catchUpUntil, ids, isoAt, closeProjectionWorld, openProjectionWorld } from '../incidents/spec-fixtures';
import { executionsProjection } from './executions.projection';
import { executionById, executionsByProposal, expiredLeases } from './executions.queries';

const scale = { kind: 'k8s.scale' as const, target: 'k8s:prod/payments/deployment/api', params: { replicas: 6 } };
const LEASE_MS = 5 * 60_000;

describe('executions projection', () => {
  let fx: PostgresFixture;
  let dataSource: DataSource;
  let story: Story;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    ({ fx, dataSource, story, runner } = await openProjectionWorld(executionsProjection, 4));
  });
  afterEach(() => closeProjectionWorld({ fx, dataSource, runner }));

  const execution = (executionId: string) => executionById(dataSource.manager, executionId);
  const until = (what: string, check: () => Promise<boolean>) => catchUpUntil(runner, fx.store, check, what);
  const statusOf = async (executionId: string) => (await execution(executionId))?.status;

  async function request(id: Ids, executionId = id.executionId, maxAttempts = 2) {
    await story.execution(
      'RequestExecution',
      { executionId, proposalId: id.proposalId, approvalId: id.approvalId, action: scale, actionHash: actionHash(scale, 1), idempotencyKey: executionId, maxAttempts },
      'system:saga',
    );
  }

  it('follows the lifecycle: requested, running, retry, succeeded, verified, compensated', async () => {
    const id = ids();
    await story.at(10);
    await request(id);
    await until('requested', async () => (await statusOf(id.executionId)) === 'requested');
    expect(await execution(id.executionId)).toMatchObject({
      proposalId: id.proposalId,
      approvalId: id.approvalId,
      action: scale,
      actionHash: actionHash(scale, 1),
      attempt: 0,
      maxAttempts: 2,
      requestedAt: isoAt(10),
      leaseOwner: null,
    });

    await story.at(11).execution('StartExecution', { executionId: id.executionId, leaseOwner: 'worker-a', leaseMs: LEASE_MS }, 'system:worker');
    await until('running', async () => (await statusOf(id.executionId)) === 'running');
    expect(await execution(id.executionId)).toMatchObject({ attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: isoAt(16), startedAt: isoAt(11) });

    await story.at(12).execution('RecordExecutionFailure', { executionId: id.executionId, attempt: 1, leaseOwner: 'worker-a', error: 'ECONNRESET', retryable: true }, 'system:worker');
    await until('awaiting a retry', async () => (await statusOf(id.executionId)) === 'awaiting_retry');
    expect(await execution(id.executionId)).toMatchObject({ error: 'ECONNRESET', retryable: true, willRetry: true, finishedAt: null });

    await story.at(13).execution('StartExecution', { executionId: id.executionId, leaseOwner: 'worker-b', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(14).execution('RecordExecutionSuccess', { executionId: id.executionId, attempt: 2, leaseOwner: 'worker-b', result: { previousReplicas: 3, replicas: 6 } }, 'system:worker');
    await until('succeeded', async () => (await statusOf(id.executionId)) === 'succeeded');
    expect(await execution(id.executionId)).toMatchObject({ attempt: 2, leaseOwner: 'worker-b', result: { previousReplicas: 3, replicas: 6 }, error: null, finishedAt: isoAt(14) });

    await story.at(20).execution('VerifyExecution', { executionId: id.executionId, recovered: true, evidence: { p99: 130 } }, 'system:verifier');
    await until('verified', async () => (await statusOf(id.executionId)) === 'verified');
    expect(await execution(id.executionId)).toMatchObject({ recovered: true, verifiedAt: isoAt(20), verificationEvidence: { p99: 130 } });

    await story.at(30).execution('ProposeCompensation', { executionId: id.executionId, reason: 'cost alarm' }, 'alice');
    await story.at(40).execution('RecordCompensation', { executionId: id.executionId, compensatingExecutionId: `${id.executionId}-undo` }, 'system:saga');
    await until('compensated', async () => (await statusOf(id.executionId)) === 'compensated');
    expect(await execution(id.executionId)).toMatchObject({
      compensation: { inverse: { kind: 'k8s.scale', target: scale.target, params: { replicas: 3 } }, reason: 'cost alarm', by: 'alice', at: isoAt(30) },
      compensatingExecutionId: `${id.executionId}-undo`,
      compensatedAt: isoAt(40),
      recovered: true,
    });
  });

  it('records refusals and final failures, and lists a proposal’s executions in request order', async () => {
    const id = ids();
    const refused = `${id.executionId}-refused`;
    const failed = `${id.executionId}-failed`;
    await story.at(10);
    await request(id, refused);
    await story.at(11).execution('RefuseExecution', { executionId: refused, why: 'approver-lost-role', detail: 'tina is no longer a team lead' }, 'system:worker');
    await story.at(12);
    await request(id, failed, 1);
    await story.at(13).execution('StartExecution', { executionId: failed, leaseOwner: 'worker-a', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(14).execution('RecordExecutionFailure', { executionId: failed, attempt: 1, leaseOwner: 'worker-a', error: 'forbidden', retryable: false }, 'system:worker');
    await until('both', async () => (await statusOf(refused)) === 'refused' && (await statusOf(failed)) === 'failed');

    const listed = await executionsByProposal(dataSource.manager, id.proposalId);
    expect(listed.map((e) => [e.executionId, e.status])).toEqual([
      [refused, 'refused'],
      [failed, 'failed'],
    ]);
    expect(listed[0]).toMatchObject({ refusedWhy: 'approver-lost-role', refusedDetail: 'tina is no longer a team lead', finishedAt: isoAt(11), attempt: 0 });
    expect(listed[1]).toMatchObject({ error: 'forbidden', retryable: false, willRetry: false, finishedAt: isoAt(14), attempt: 1 });
  });

  it('finds running executions whose lease has run out, for the sweeper', async () => {
    const running = ids();
    const live = ids();
    const done = ids();
    await story.at(0);
    await request(running);
    await request(done);
    await story.at(1).execution('StartExecution', { executionId: running.executionId, leaseOwner: 'worker-dead', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(1).execution('StartExecution', { executionId: done.executionId, leaseOwner: 'worker-a', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(2).execution('RecordExecutionSuccess', { executionId: done.executionId, attempt: 1, leaseOwner: 'worker-a', result: {} }, 'system:worker');
    await story.at(3);
    await request(live);
    await story.at(4).execution('StartExecution', { executionId: live.executionId, leaseOwner: 'worker-b', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(8).execution('RenewLease', { executionId: live.executionId, attempt: 1, leaseOwner: 'worker-b', leaseMs: LEASE_MS }, 'system:worker');
    await until('the renewal', async () => (await execution(live.executionId))?.leaseExpiresAt === isoAt(13));

    expect(await expiredLeases(dataSource.manager, isoAt(5))).toEqual([]);
    expect(await expiredLeases(dataSource.manager, new Date(isoAt(10)))).toEqual([
      { executionId: running.executionId, attempt: 1, leaseOwner: 'worker-dead', leaseExpiresAt: isoAt(6) },
    ]);
    expect((await expiredLeases(dataSource.manager, isoAt(14))).map((l) => l.executionId)).toEqual([running.executionId, live.executionId]);

    await story.at(10).execution('ExpireLease', { executionId: running.executionId }, 'system:sweeper');
    await until('the freed attempt', async () => (await statusOf(running.executionId)) === 'awaiting_retry');
    expect(await execution(running.executionId)).toMatchObject({ error: 'lease expired', attempt: 1 });
    expect(await expiredLeases(dataSource.manager, isoAt(10))).toEqual([]);
  });

  it('is idempotent when a batch is applied again and rebuilds into the same table', async () => {
    const a = ids();
    const b = ids();
    await story.at(0);
    await request(a);
    await request(b, b.executionId, 1);
    await story.at(1).execution('StartExecution', { executionId: a.executionId, leaseOwner: 'worker-a', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(2).execution('RecordExecutionFailure', { executionId: a.executionId, attempt: 1, leaseOwner: 'worker-a', error: 'timeout', retryable: true }, 'system:worker');
    await story.at(3).execution('StartExecution', { executionId: a.executionId, leaseOwner: 'worker-b', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(4).execution('RecordExecutionSuccess', { executionId: a.executionId, attempt: 2, leaseOwner: 'worker-b', result: { previousReplicas: 2 } }, 'system:worker');
    await story.at(5).execution('VerifyExecution', { executionId: a.executionId, recovered: false }, 'system:verifier');
    await story.at(5).execution('StartExecution', { executionId: b.executionId, leaseOwner: 'worker-c', leaseMs: LEASE_MS }, 'system:worker');
    await story.at(20).execution('ExpireLease', { executionId: b.executionId }, 'system:sweeper');
    await until('both settled', async () => (await statusOf(a.executionId)) === 'verified' && (await statusOf(b.executionId)) === 'failed');
    await runner.stop();
    const live = await readModelChecksum(dataSource, executionsProjection);

    await applyAllDirectly(dataSource, fx.store, executionsProjection);
    expect(await readModelChecksum(dataSource, executionsProjection)).toBe(live);
    expect(await execution(a.executionId)).toMatchObject({ attempt: 2, recovered: false, status: 'verified' });

    await rebuildProjection(dataSource, fx.store, executionsProjection, { batchSize: 1 });
    expect(await readModelChecksum(dataSource, executionsProjection)).toBe(live);
    await rebuildProjection(dataSource, fx.store, executionsProjection);
    expect(await readModelChecksum(dataSource, executionsProjection)).toBe(live);
  });
});
