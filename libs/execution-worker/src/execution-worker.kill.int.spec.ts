import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Redis from 'ioredis';
import { CommandBus, UsersRepository } from '@vigil/application';
import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import { ExecutorRegistry } from '@vigil/executors';
import { ArgoCdContractServer, ROLLBACK_REQUESTED_STEP, createArgoCdExecutor } from '@vigil/integrations/argocd';
import { createPostgresFixture, type PostgresFixture } from '../../event-store/src/postgres/postgres-fixture';
import { readExecutionJournal } from './execution-journal';
import { ExecutionQueue } from './execution-queue';
import { ExecutionWorker } from './execution-worker';
import { LeaseSweeper, PostgresExecutionLeaseIndex, type SweepReport } from './lease-sweeper';
import { executionEvents, seedExecution, waitFor, waitForTerminal } from './testing/execution-fixtures';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../../..');
const A = '1111111111111111111111111111111111111111';
const B = '2222222222222222222222222222222222222222';
const C = '3333333333333333333333333333333333333333';
const LEASE_MS = 2_000;

describe('execution worker killed with SIGKILL mid-rollback', () => {
  let fx: PostgresFixture;
  let redis: Redis;
  let argocd: ArgoCdContractServer;
  let child: ChildProcess | undefined;
  let worker: ExecutionWorker | undefined;
  let sweeper: LeaseSweeper | undefined;
  let queue: ExecutionQueue | undefined;

  beforeEach(async () => {
    fx = await createPostgresFixture();
    redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });
    argocd = await ArgoCdContractServer.start();
  });

  afterEach(async () => {
    child?.kill('SIGKILL');
    await sweeper?.stop();
    await worker?.close();
    await queue?.queue.obliterate({ force: true });
    await queue?.close();
    redis.disconnect();
    await argocd.close();
    await fx.teardown();
  });

  it('re-drives the dead attempt: the sweeper expires its lease, the next attempt reconciles from the journal and never posts again', async () => {
    const bus = new CommandBus(fx.store);
    const users = new UsersRepository(fx.app);
    await users.add({ id: 'tess', roles: ['team-lead'] }, new Date().toISOString());
    argocd.addApplication({ name: 'payments', revisions: [A, B, C] });
    // The controller keeps the rollback Running long enough for the worker to die and the next attempt to find it in flight.
    argocd.setRollbackBehaviour({ durationMs: 9_000 });
    argocd.holdResponses({ method: 'POST', pathIncludes: '/rollback' }, 1_000);
    const seeded = await seedExecution(bus, { action: { kind: 'argocd.rollback', target: 'argocd:payments', params: {} }, approvers: [{ by: 'tess', roles: ['team-lead'] }] });
    const prefix = `vigil-kill-${randomUUID().slice(0, 8)}`;
    queue = new ExecutionQueue({ connection: redis, prefix, backoffDelayMs: 200 });

    // 1. A worker in a child process takes the job and posts the rollback; it is killed as soon as the POST arrives.
    let output = '';
    child = spawn(process.execPath, ['-r', join(ROOT, 'tools/register.js'), join(__dirname, 'testing/run-worker-in-child.ts')], {
      env: {
        ...process.env,
        CHILD_DATABASE_URL: fx.url,
        CHILD_QUEUE_PREFIX: prefix,
        ARGOCD_URL: argocd.url,
        ARGOCD_TOKEN: argocd.token,
        CHILD_LEASE_MS: String(LEASE_MS),
        // BullMQ's lock outlives the lease, so the sweeper (not BullMQ's stall check) notices the death first.
        CHILD_LOCK_MS: String(2 * LEASE_MS),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`child worker exited with ${code}:\n${output}\n`);
    });
    await waitFor('the child worker to be ready', () => output.includes('ready\n'), 40_000);
    await queue.enqueue(seeded.executionId);
    await argocd.waitForRequest({ method: 'POST', pathIncludes: '/rollback' }, 20_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    child = undefined;
    const killedAt = Date.now();

    const atKill = await bus.load('execution', seeded.executionId);
    expect(atKill.state).toMatchObject({ status: 'Running', attempt: 1 });
    expect((await readExecutionJournal(fx.store, seeded.executionId)).steps.map((step) => step.name)).toEqual([ROLLBACK_REQUESTED_STEP]);
    expect(argocd.application('payments').status?.operationState?.phase).toBe('Running');

    // 2. A new worker and the sweeper, in this process.
    worker = new ExecutionWorker({
      connection: redis,
      prefix,
      bus,
      store: fx.store,
      executors: new ExecutorRegistry([createArgoCdExecutor({ baseUrl: argocd.url, token: argocd.token, pollIntervalMs: 50 })]),
      users,
      policy: DEFAULT_APPROVAL_POLICY,
      leaseMs: LEASE_MS,
      concurrency: 2,
    });
    const reports: SweepReport[] = [];
    const index = new PostgresExecutionLeaseIndex(fx.app);
    sweeper = new LeaseSweeper({ bus, queue, index, intervalMs: 200, awaitingAttemptAfterMs: 500 });
    const sweepOnce = sweeper.sweepOnce.bind(sweeper);
    sweeper.sweepOnce = async () => {
      const report = await sweepOnce();
      reports.push(report);
      return report;
    };
    sweeper.start();

    const final = await waitForTerminal(bus, seeded.executionId, 40_000);
    expect(final.status).toBe('Succeeded');

    // Exactly one rollback reached ArgoCD, and the rollback was applied once.
    expect(argocd.rollbackRequests()).toHaveLength(1);
    expect(argocd.application('payments').status?.history?.map((h) => h.revision)).toEqual([A, B, C, B]);

    const events = await executionEvents(fx.store, seeded.executionId);
    const types = events.map((event) => event.type).filter((type) => type !== 'LeaseRenewed');
    expect(types).toEqual(['ExecutionRequested', 'ExecutionStarted', 'ExecutionLeaseExpired', 'ExecutionStarted', 'ExecutionSucceeded']);
    expect(events[events.length - 1].type).toBe('ExecutionSucceeded');
    const expired = events.find((event) => event.type === 'ExecutionLeaseExpired')!;
    expect(expired.metadata.actor).toBe('system:lease-sweeper');
    expect(expired.data).toMatchObject({ attempt: 1 });
    expect(reports.some((report) => report.expired.includes(seeded.executionId))).toBe(true);
    const [, second] = events.filter((event) => event.type === 'ExecutionStarted');
    expect(second.data).toMatchObject({ attempt: 2 });
    expect((second.data as { leaseOwner: string }).leaseOwner).not.toBe((events[1].data as { leaseOwner: string }).leaseOwner);

    // The second attempt found the journaled request, did not post, and waited for the rollback to finish.
    const succeeded = events[events.length - 1].data as { attempt: number; result: Record<string, unknown> };
    expect(succeeded.attempt).toBe(2);
    expect(succeeded.result).toMatchObject({ revision: B, previousRevision: C, rollbackRequestsSent: 0, reconciledEarlierRequest: expect.stringMatching(/2222222/) });
    expect((await readExecutionJournal(fx.store, seeded.executionId)).steps.map((step) => step.name)).toEqual([ROLLBACK_REQUESTED_STEP]);
    // …and it started while ArgoCD was still rolling back (finishedAt has second precision).
    const finishedAt = Date.parse(argocd.application('payments').status?.operationState?.finishedAt ?? '');
    expect(Date.parse((second.data as { at: string }).at)).toBeLessThan(finishedAt - 1_000);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
  });
});
