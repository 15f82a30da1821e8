import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { CommandBus, UsersRepository } from '@vigil/application';
import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import type { ExecutionEvent } from '@vigil/domain/execution';
import type { RemediationAction } from '@vigil/domain/remediation';
import { ExecutorRegistry } from '@vigil/executors';
import { ArgoCdContractServer, ROLLBACK_REQUESTED_STEP, createArgoCdExecutor } from '@vigil/integrations/argocd';
import { KubernetesContractServer, createKubernetesExecutor } from '@vigil/integrations/kubernetes';
import { createPostgresFixture, type PostgresFixture } from '../../event-store/src/postgres/postgres-fixture';
import { computeActionHash } from './action-hash';
import { readExecutionJournal } from './execution-journal';
import { ExecutionQueue } from './execution-queue';
import type { JobDisposition } from './execution-runner';
import { ExecutionWorker } from './execution-worker';
import { LeaseSweeper, PostgresExecutionLeaseIndex } from './lease-sweeper';
import { executionEvents, seedExecution, waitFor, waitForTerminal } from './testing/execution-fixtures';

jest.setTimeout(60_000);

const A = '1111111111111111111111111111111111111111';
const B = '2222222222222222222222222222222222222222';
const C = '3333333333333333333333333333333333333333';
const LEASE_MS = 2_000;
const BACKOFF_MS = 300;

const rollback = (app = 'payments'): RemediationAction => ({ kind: 'argocd.rollback', target: `argocd:${app}`, params: {} });
const TEAM_LEAD = { by: 'tess', roles: ['team-lead'] };

describe('execution worker (BullMQ + PostgreSQL + ArgoCD/Kubernetes contract servers)', () => {
  let fx: PostgresFixture;
  let redis: Redis;
  let bus: CommandBus;
  let users: UsersRepository;
  let argocd: ArgoCdContractServer;
  let kubernetes: KubernetesContractServer;
  let queue: ExecutionQueue;
  let worker: ExecutionWorker | undefined;
  let prefix: string;
  let dispositions: { executionId: string; disposition: JobDisposition }[];

  beforeAll(async () => {
    fx = await createPostgresFixture();
    redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });
    bus = new CommandBus(fx.store);
    users = new UsersRepository(fx.app);
    const now = new Date().toISOString();
    for (const [id, roles] of [['tess', ['team-lead']], ['rita', ['responder']], ['sam', ['sre']], ['mia', ['manager']]] as const) {
      await users.add({ id, roles }, now);
    }
  });

  afterAll(async () => {
    redis.disconnect();
    await fx.teardown();
  });

  beforeEach(async () => {
    argocd = await ArgoCdContractServer.start();
    argocd.addApplication({ name: 'payments', revisions: [A, B, C] });
    argocd.setRollbackBehaviour({ durationMs: 100 });
    kubernetes = await KubernetesContractServer.start();
    kubernetes.addDeployment({ namespace: 'prod', name: 'api', replicas: 3, images: ['api:1', 'api:2'] });
    prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
    queue = new ExecutionQueue({ connection: redis, prefix, backoffDelayMs: BACKOFF_MS });
    dispositions = [];
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await argocd.close();
    await kubernetes.close();
  });

  const startWorker = (): ExecutionWorker => {
    worker = new ExecutionWorker({
      connection: redis,
      prefix,
      bus,
      store: fx.store,
      executors: new ExecutorRegistry([
        createArgoCdExecutor({ baseUrl: argocd.url, token: argocd.token, pollIntervalMs: 20 }),
        createKubernetesExecutor({ connection: { type: 'token', server: kubernetes.url, token: kubernetes.token, skipTlsVerify: true }, pollIntervalMs: 20 }),
      ]),
      users,
      policy: DEFAULT_APPROVAL_POLICY,
      leaseMs: LEASE_MS,
      concurrency: 4,
    });
    worker.onDisposition((executionId, disposition) => dispositions.push({ executionId, disposition }));
    return worker;
  };

  const typesOf = async (executionId: string): Promise<string[]> => (await executionEvents(fx.store, executionId)).map((event) => event.type).filter((type) => type !== 'LeaseRenewed');
  const eventsOf = async (executionId: string): Promise<ExecutionEvent[]> =>
    (await executionEvents(fx.store, executionId)).map((event) => ({ type: event.type, data: event.data }) as ExecutionEvent);
  const refusal = async (executionId: string) => (await eventsOf(executionId)).find((event) => event.type === 'ExecutionRefused');

  it('runs a granted medium approval\'s argocd.rollback once, journals the step and records the inverse', async () => {
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
    startWorker();
    await queue.enqueue(seeded.executionId);

    const state = await waitForTerminal(bus, seeded.executionId);
    expect(state.status).toBe('Succeeded');
    expect(argocd.rollbackRequests()).toHaveLength(1);
    expect(argocd.rollbackRequests()[0].body).toEqual({ name: 'payments', id: 1, prune: false, dryRun: false });
    expect(await typesOf(seeded.executionId)).toEqual(['ExecutionRequested', 'ExecutionStarted', 'ExecutionSucceeded']);
    const succeeded = (await eventsOf(seeded.executionId)).find((event) => event.type === 'ExecutionSucceeded');
    expect(succeeded?.data).toMatchObject({
      attempt: 1,
      result: { app: 'payments', revision: B, previousRevision: C, rollbackRequestsSent: 1, inverse: { kind: 'argocd.rollback', target: 'argocd:payments', params: { historyId: 2, revision: C, prune: false } } },
    });
    const { steps, events } = await readExecutionJournal(fx.store, seeded.executionId);
    expect(steps).toEqual([{ name: ROLLBACK_REQUESTED_STEP, detail: expect.objectContaining({ app: 'payments', historyId: 1, revision: B }) }]);
    expect(events[0].data).toMatchObject({ executionId: seeded.executionId, attempt: 1, leaseOwner: expect.stringMatching(/^[^:]+:\d+:[0-9a-f-]{36}$/) });
    expect(argocd.application('payments').status?.history?.map((h) => h.revision)).toEqual([A, B, C, B]);
  });

  it('routes by action kind: a granted low approval\'s k8s.scale runs through the Kubernetes executor', async () => {
    const action: RemediationAction = { kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: 6 } };
    const seeded = await seedExecution(bus, { action, approvers: [{ by: 'rita', roles: ['responder'] }] });
    startWorker();
    await queue.enqueue(seeded.executionId);

    expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Succeeded');
    expect(kubernetes.requestsMatching({ method: 'PATCH' }).filter((r) => r.query.dryRun === undefined)).toHaveLength(1);
    const succeeded = (await eventsOf(seeded.executionId)).find((event) => event.type === 'ExecutionSucceeded');
    expect(succeeded?.data).toMatchObject({ result: { previousReplicas: 3, replicas: 6, inverse: { kind: 'k8s.scale', params: { replicas: 3 } } } });
    expect(argocd.requests).toHaveLength(0);
  });

  describe('pre-run check: refused before any external call', () => {
    it('refuses action-hash-mismatch when the proposal was modified after the grant', async () => {
      const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
      await bus.send('proposal', seeded.proposalId, {
        type: 'ModifyProposal',
        data: { proposalId: seeded.proposalId, baseVersion: 1, changes: { historyId: 0 } },
        metadata: { now: new Date().toISOString(), actor: 'mallory' },
      });
      startWorker();
      await queue.enqueue(seeded.executionId);

      expect(await waitForTerminal(bus, seeded.executionId)).toMatchObject({ status: 'Refused', why: 'action-hash-mismatch' });
      expect((await refusal(seeded.executionId))?.data).toMatchObject({ why: 'action-hash-mismatch', detail: expect.stringContaining('v2') });
      expect(argocd.requests).toHaveLength(0);
      expect((await readExecutionJournal(fx.store, seeded.executionId)).steps).toEqual([]);
    });

    it('refuses action-hash-mismatch when the execution carries another hash', async () => {
      const seeded = await seedExecution(bus, {
        action: rollback(),
        approvers: [TEAM_LEAD],
        executionActionHash: computeActionHash({ ...rollback(), params: { historyId: 0 } }, 1),
      });
      startWorker();
      await queue.enqueue(seeded.executionId);

      expect(await waitForTerminal(bus, seeded.executionId)).toMatchObject({ status: 'Refused', why: 'action-hash-mismatch' });
      expect(argocd.requests).toHaveLength(0);
    });

    it('refuses action-hash-mismatch when the execution carries the right hash but another action', async () => {
      const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD], executionAction: { ...rollback(), params: { historyId: 0 } } });
      startWorker();
      await queue.enqueue(seeded.executionId);

      expect(await waitForTerminal(bus, seeded.executionId)).toMatchObject({ status: 'Refused', why: 'action-hash-mismatch' });
      expect((await refusal(seeded.executionId))?.data).toMatchObject({ detail: expect.stringContaining('differs from proposal') });
      expect(argocd.requests).toHaveLength(0);
    });

    it('refuses approver-lost-role when the approver lost the role between grant and run', async () => {
      await users.add({ id: 'lena', roles: ['team-lead'] }, new Date().toISOString());
      const seeded = await seedExecution(bus, { action: rollback(), approvers: [{ by: 'lena', roles: ['team-lead'] }] });
      await users.setRoles('lena', ['responder']);
      startWorker();
      await queue.enqueue(seeded.executionId);

      expect(await waitForTerminal(bus, seeded.executionId)).toMatchObject({ status: 'Refused', why: 'approver-lost-role' });
      expect((await refusal(seeded.executionId))?.data).toMatchObject({ detail: expect.stringContaining('lena no longer holds team-lead') });
      expect(argocd.requests).toHaveLength(0);
    });

    it('refuses approval-not-granted while the approval is pending, and without an approval for a tier that is not auto-approved', async () => {
      const pending = await seedExecution(bus, { action: rollback(), approvers: [] });
      const unapproved = await seedExecution(bus, { action: rollback(), withoutApproval: true });
      startWorker();
      await queue.enqueue(pending.executionId);
      await queue.enqueue(unapproved.executionId);

      expect(await waitForTerminal(bus, pending.executionId)).toMatchObject({ status: 'Refused', why: 'approval-not-granted' });
      expect(await waitForTerminal(bus, unapproved.executionId)).toMatchObject({ status: 'Refused', why: 'approval-not-granted' });
      expect(argocd.requests).toHaveLength(0);
    });

    it('refuses proposal-withdrawn when the proposal was withdrawn after the grant', async () => {
      const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
      await bus.send('proposal', seeded.proposalId, {
        type: 'WithdrawProposal',
        data: { proposalId: seeded.proposalId, reason: 'recovered on its own' },
        metadata: { now: new Date().toISOString(), actor: 'tess' },
      });
      startWorker();
      await queue.enqueue(seeded.executionId);

      expect(await waitForTerminal(bus, seeded.executionId)).toMatchObject({ status: 'Refused', why: 'proposal-withdrawn' });
      expect(argocd.requests).toHaveLength(0);
    });
  });

  it('fails an auto-approved kind without an executor with EXECUTION.NO_EXECUTOR, not retried', async () => {
    const seeded = await seedExecution(bus, { action: { kind: 'ticket.create', target: 'jira:OPS', params: { summary: 'look at payments' } }, withoutApproval: true });
    startWorker();
    await queue.enqueue(seeded.executionId);

    expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Failed');
    const failed = (await eventsOf(seeded.executionId)).find((event) => event.type === 'ExecutionFailed');
    expect(failed?.data).toMatchObject({ attempt: 1, retryable: false, willRetry: false, error: expect.stringMatching(/^EXECUTION\.NO_EXECUTOR: no executor is configured for ticket\.create/) });
  });

  it('retries a retryable failure with exponential backoff until it succeeds (503 twice)', async () => {
    argocd.failNext(2, 503, { method: 'GET' });
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD], maxAttempts: 3 });
    startWorker();
    await queue.enqueue(seeded.executionId);

    expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Succeeded');
    const events = await eventsOf(seeded.executionId);
    expect(events.map((event) => event.type).filter((type) => type !== 'LeaseRenewed')).toEqual([
      'ExecutionRequested',
      'ExecutionStarted',
      'ExecutionFailed',
      'ExecutionStarted',
      'ExecutionFailed',
      'ExecutionStarted',
      'ExecutionSucceeded',
    ]);
    const failures = events.filter((event) => event.type === 'ExecutionFailed');
    expect(failures.map((event) => event.data)).toEqual([
      expect.objectContaining({ attempt: 1, retryable: true, willRetry: true, error: expect.stringMatching(/^ARGOCD\.UNAVAILABLE/) }),
      expect.objectContaining({ attempt: 2, retryable: true, willRetry: true }),
    ]);
    const starts = events.flatMap((event) => (event.type === 'ExecutionStarted' ? [Date.parse(event.data.at)] : []));
    const fails = failures.map((event) => Date.parse(event.data.at));
    // BullMQ exponential backoff: BACKOFF_MS after the first failure, twice that after the second.
    expect(starts[1] - fails[0]).toBeGreaterThanOrEqual(BACKOFF_MS - 50);
    expect(starts[2] - fails[1]).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 50);
    expect(argocd.rollbackRequests()).toHaveLength(1);
  });

  it('records a non-retryable failure (404) as final and does not retry', async () => {
    argocd.failNext(1, 404, { method: 'GET' });
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD], maxAttempts: 3 });
    startWorker();
    await queue.enqueue(seeded.executionId);

    expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Failed');
    await waitFor('the job to complete', async () => (await queue.queue.getJobState(seeded.executionId)) === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 3 * BACKOFF_MS));
    expect(await typesOf(seeded.executionId)).toEqual(['ExecutionRequested', 'ExecutionStarted', 'ExecutionFailed']);
    expect((await eventsOf(seeded.executionId)).find((event) => event.type === 'ExecutionFailed')?.data).toMatchObject({
      attempt: 1,
      retryable: false,
      willRetry: false,
      error: expect.stringMatching(/^ARGOCD\.APP_NOT_FOUND/),
    });
    expect(argocd.rollbackRequests()).toHaveLength(0);
    expect(dispositions.filter((d) => d.executionId === seeded.executionId)).toHaveLength(1);
  });

  it('runs an execution once when 1,000 enqueues race', async () => {
    argocd.setRollbackBehaviour({ durationMs: 300 });
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
    startWorker();
    const connections = Array.from({ length: 4 }, () => new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null }));
    const queues = connections.map((connection) => new ExecutionQueue({ connection, prefix }));
    try {
      await Promise.all(Array.from({ length: 1_000 }, (_, i) => queues[i % queues.length].enqueue(seeded.executionId)));
      expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Succeeded');
      await Promise.all(Array.from({ length: 100 }, (_, i) => queues[i % queues.length].enqueue(seeded.executionId)));
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await Promise.all(queues.map((q) => q.close()));
      connections.forEach((connection) => connection.disconnect());
    }
    expect(argocd.rollbackRequests()).toHaveLength(1);
    expect((await typesOf(seeded.executionId)).filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
    expect(dispositions.filter((d) => d.executionId === seeded.executionId)).toHaveLength(1);
    expect(await queue.queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed')).toEqual({ completed: 1, waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('delays a job while another worker holds a live lease, without using up its attempts', async () => {
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
    await bus.send('execution', seeded.executionId, {
      type: 'StartExecution',
      data: { executionId: seeded.executionId, leaseOwner: 'elsewhere:1:live', leaseMs: 60_000 },
      metadata: { now: new Date().toISOString(), actor: 'system:execution-worker' },
    });
    startWorker();
    await queue.enqueue(seeded.executionId);

    await waitFor('the job to be delayed', async () => (await queue.queue.getJobState(seeded.executionId)) === 'delayed');
    expect(dispositions[0].disposition).toMatchObject({ kind: 'delay' });
    const job = await queue.queue.getJob(seeded.executionId);
    expect(job?.attemptsMade).toBe(0);
    expect(job!.delay + job!.timestamp).toBeGreaterThan(Date.now() + 50_000);
    expect(argocd.requests).toHaveLength(0);
    expect((await bus.load('execution', seeded.executionId)).state).toMatchObject({ status: 'Running', leaseOwner: 'elsewhere:1:live' });
  });

  it('sweeps an expired lease of a dead worker: ExpireLease, re-enqueue, the next attempt succeeds', async () => {
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
    await bus.send('execution', seeded.executionId, {
      type: 'StartExecution',
      data: { executionId: seeded.executionId, leaseOwner: 'gone:1:dead', leaseMs: 200 },
      metadata: { now: new Date().toISOString(), actor: 'system:execution-worker' },
    });
    startWorker();
    const sweeper = new LeaseSweeper({ bus, queue, index: new PostgresExecutionLeaseIndex(fx.app), awaitingAttemptAfterMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const report = await sweeper.sweepOnce();
    expect(report.expired).toContain(seeded.executionId);
    expect(report.redriven).toContainEqual({ executionId: seeded.executionId, result: 'added' });
    expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Succeeded');
    expect(await typesOf(seeded.executionId)).toEqual(['ExecutionRequested', 'ExecutionStarted', 'ExecutionLeaseExpired', 'ExecutionStarted', 'ExecutionSucceeded']);
    expect(argocd.rollbackRequests()).toHaveLength(1);
    expect((await sweeper.sweepOnce()).expired).toEqual([]);
  });

  it('re-enqueues an execution that waits for an attempt but has no job', async () => {
    const seeded = await seedExecution(bus, { action: rollback(), approvers: [TEAM_LEAD] });
    const sweeper = new LeaseSweeper({ bus, queue, index: new PostgresExecutionLeaseIndex(fx.app), awaitingAttemptAfterMs: 0 });
    expect((await sweeper.sweepOnce()).redriven).toContainEqual({ executionId: seeded.executionId, result: 'added' });
    expect((await sweeper.sweepOnce()).redriven).toContainEqual({ executionId: seeded.executionId, result: 'queued' });
    startWorker();
    expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Succeeded');
    expect((await sweeper.sweepOnce()).redriven.map((r) => r.executionId)).not.toContain(seeded.executionId);
  });
});
