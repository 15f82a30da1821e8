import type { Action, ExecutionOutcome } from '@vigil/executors';
import { createArgoCdExecutor, type ArgoCdExecutorConfig } from './argocd-rollback.executor';
import { ROLLBACK_REQUESTED_STEP } from './rollback-plan';
import { ArgoCdContractServer } from './testing/argocd-contract-server';
import { InMemoryExecutionJournal, testExecutionContext } from './testing/in-memory-execution-journal';

const A = '1111111111111111111111111111111111111111';
const B = '2222222222222222222222222222222222222222';
const C = '3333333333333333333333333333333333333333';

const rollback = (target = 'argocd:payments', params: Record<string, unknown> = {}): Action => ({ kind: 'argocd.rollback', target, params });

describe('ArgoCD rollback executor against the contract server', () => {
  let server: ArgoCdContractServer;
  let config: ArgoCdExecutorConfig;

  beforeEach(async () => {
    server = await ArgoCdContractServer.start();
    server.addApplication({ name: 'payments', revisions: [A, B, C] });
    config = { baseUrl: server.url, token: server.token, pollIntervalMs: 10 };
  });

  afterEach(async () => {
    await server.close();
  });

  const succeeded = (outcome: ExecutionOutcome) => {
    if (outcome.status !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
    return outcome;
  };

  it('rolls back to the previous history entry and waits for sync and health', async () => {
    server.setRollbackBehaviour({ durationMs: 80, progressingAfterSyncMs: 80 });
    const context = testExecutionContext();
    const outcome = succeeded(await createArgoCdExecutor(config).execute(rollback(), context));

    expect(outcome.result).toMatchObject({
      app: 'payments',
      changed: true,
      historyId: 1,
      revision: B,
      previousHistoryId: 2,
      previousRevision: C,
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      rollbackRequestsSent: 1,
    });
    expect(outcome.inverse).toEqual({ kind: 'argocd.rollback', target: 'argocd:payments', params: { historyId: 2, revision: C, prune: false } });
    const posts = server.rollbackRequests();
    expect(posts).toHaveLength(1);
    expect(posts[0].body).toEqual({ name: 'payments', id: 1, prune: false, dryRun: false });
    expect(posts[0].headers.authorization).toBe(`Bearer ${server.token}`);

    const app = server.application('payments');
    expect(app.status?.history?.map((h) => h.revision)).toEqual([A, B, C, B]);
    expect(app.status?.health?.status).toBe('Healthy');
    expect(context.journal.steps).toEqual([expect.objectContaining({ name: ROLLBACK_REQUESTED_STEP, detail: expect.objectContaining({ app: 'payments', historyId: 1, revision: B }) })]);
    expect(context.heartbeats()).toBeGreaterThan(0);
  });

  it('rolls back to an explicit history id of an app in another namespace', async () => {
    server.addApplication({ name: 'checkout', namespace: 'team-a', revisions: [A, B, C] });
    const outcome = succeeded(await createArgoCdExecutor(config).execute(rollback('argocd:team-a/checkout', { historyId: 0, prune: true }), testExecutionContext()));
    expect(outcome.result).toMatchObject({ app: 'checkout', appNamespace: 'team-a', historyId: 0, revision: A });
    expect(server.rollbackRequests('checkout')[0].body).toEqual({ name: 'checkout', id: 0, prune: true, dryRun: false, appNamespace: 'team-a' });
    expect(server.requests.find((r) => r.method === 'GET')?.query).toEqual({ appNamespace: 'team-a' });
  });

  it('rolls forward with the inverse it reported', async () => {
    const executor = createArgoCdExecutor(config);
    const first = succeeded(await executor.execute(rollback(), testExecutionContext()));
    const inverse = first.inverse as Action;
    const second = succeeded(await executor.execute(inverse, testExecutionContext({ executionId: 'exec-2' })));
    expect(second.result).toMatchObject({ historyId: 2, revision: C, previousRevision: B });
    expect(server.application('payments').status?.history?.map((h) => h.revision)).toEqual([A, B, C, B, C]);
  });

  it('succeeds without a request when the requested revision is already live', async () => {
    const outcome = succeeded(await createArgoCdExecutor(config).execute(rollback('argocd:payments', { revision: C }), testExecutionContext()));
    expect(outcome.result).toMatchObject({ changed: false, historyId: 2 });
    expect(outcome.inverse).toBeUndefined();
    expect(server.rollbackRequests()).toHaveLength(0);
  });

  it('maps a wrong token to ARGOCD.UNAUTHORIZED (final) and sends no rollback', async () => {
    const outcome = await createArgoCdExecutor({ ...config, token: 'wrong' }).execute(rollback(), testExecutionContext());
    expect(outcome).toMatchObject({ status: 'failed', code: 'ARGOCD.UNAUTHORIZED', retryable: false });
    expect(server.rollbackRequests()).toHaveLength(0);
  });

  it('maps an unknown application to ARGOCD.APP_NOT_FOUND (final)', async () => {
    const outcome = await createArgoCdExecutor(config).execute(rollback('argocd:nope'), testExecutionContext());
    expect(outcome).toMatchObject({ status: 'failed', code: 'ARGOCD.APP_NOT_FOUND', retryable: false });
  });

  it('answers 409 with a retryable failure; the retry re-posts once and succeeds', async () => {
    server.failNext(1, 409, { method: 'POST', pathIncludes: '/rollback' });
    const executor = createArgoCdExecutor(config);
    const journal = new InMemoryExecutionJournal();
    const first = await executor.execute(rollback(), testExecutionContext({ journal }));
    expect(first).toMatchObject({ status: 'failed', code: 'ARGOCD.CONFLICT', retryable: true });

    const second = succeeded(await executor.execute(rollback(), testExecutionContext({ journal, attempt: 2 })));
    expect(second.result).toMatchObject({ historyId: 1, revision: B, rollbackRequestsSent: 1 });
    expect(server.rollbackRequests()).toHaveLength(2);
    expect(server.application('payments').status?.history?.map((h) => h.revision)).toEqual([A, B, C, B]);
  });

  it('maps 503 to a retryable ARGOCD.UNAVAILABLE', async () => {
    server.failNext(1, 503, { method: 'GET' });
    const context = testExecutionContext();
    const outcome = await createArgoCdExecutor(config).execute(rollback(), context);
    expect(outcome).toMatchObject({ status: 'failed', code: 'ARGOCD.UNAVAILABLE', retryable: true });
    expect(context.journal.steps).toEqual([]);
  });

  it('maps an unreachable server to a retryable ARGOCD.UNAVAILABLE', async () => {
    const url = server.url;
    await server.close();
    const outcome = await createArgoCdExecutor({ ...config, baseUrl: url }).execute(rollback(), testExecutionContext());
    expect(outcome).toMatchObject({ status: 'failed', code: 'ARGOCD.UNAVAILABLE', retryable: true });
    server = await ArgoCdContractServer.start();
  });

  it('tolerates a 503 while waiting', async () => {
    server.setRollbackBehaviour({ durationMs: 100 });
    const executor = createArgoCdExecutor(config);
    const pending = executor.execute(rollback(), testExecutionContext());
    await server.waitForRequest({ method: 'POST', pathIncludes: '/rollback' });
    server.failNext(2, 503, { method: 'GET' });
    expect((await pending).status).toBe('succeeded');
  });

  it('refuses an app with auto-sync enabled before recording anything', async () => {
    server.addApplication({ name: 'auto', revisions: [A, B], autoSync: true });
    const context = testExecutionContext();
    const outcome = await createArgoCdExecutor(config).execute(rollback('argocd:auto'), context);
    expect(outcome).toMatchObject({ status: 'failed', code: 'ARGOCD.AUTO_SYNC_ENABLED', retryable: false });
    expect(context.journal.steps).toEqual([]);
    expect(server.rollbackRequests()).toHaveLength(0);
  });

  it('reports a failed sync and a degraded app as final failures', async () => {
    server.setRollbackBehaviour({ outcome: 'Failed' });
    expect(await createArgoCdExecutor(config).execute(rollback(), testExecutionContext())).toMatchObject({ status: 'failed', code: 'ARGOCD.SYNC_FAILED', retryable: false });

    server.addApplication({ name: 'web', revisions: [A, B] });
    server.setRollbackBehaviour({ outcome: 'Degraded' });
    expect(await createArgoCdExecutor(config).execute(rollback('argocd:web'), testExecutionContext())).toMatchObject({ status: 'failed', code: 'ARGOCD.DEGRADED', retryable: false });
  });

  it('times out with ARGOCD.TIMEOUT (final)', async () => {
    server.setRollbackBehaviour({ durationMs: 5_000 });
    const outcome = await createArgoCdExecutor(config).execute(rollback('argocd:payments', { timeoutSeconds: 0.2 }), testExecutionContext());
    expect(outcome).toMatchObject({ status: 'failed', code: 'ARGOCD.TIMEOUT', retryable: false });
  });

  it('accepts OutOfSync after the rollback when requireSynced is false', async () => {
    server.setRollbackBehaviour({ syncStatusAfter: 'OutOfSync' });
    const outcome = succeeded(await createArgoCdExecutor({ ...config, requireSynced: false }).execute(rollback(), testExecutionContext()));
    expect(outcome.result).toMatchObject({ syncStatus: 'OutOfSync', healthStatus: 'Healthy' });
  });

  it('works over the node:http(s) transport used for insecure TLS', async () => {
    const outcome = await createArgoCdExecutor({ ...config, insecureSkipTlsVerify: true }).execute(rollback(), testExecutionContext());
    expect(outcome.status).toBe('succeeded');
  });

  describe('dry run', () => {
    it('summarises the rollback and changes nothing', async () => {
      const before = server.application('payments');
      const result = await createArgoCdExecutor(config).dryRun(rollback());
      expect(result.supported).toBe(true);
      expect(result.summary).toBe('would roll back payments from 3333333 (history 2) to 2222222 (history 1)');
      expect(result.details).toMatchObject({ serverSideDryRun: false, from: { historyId: 2, revision: C }, to: { historyId: 1, revision: B } });
      expect(String(result.details?.note)).toMatch(/no side-effect-free server-side dry run/);
      expect(server.rollbackRequests()).toHaveLength(0);
      expect(server.application('payments')).toEqual(before);
    });

    it('throws a coded error when there is nothing to roll back to', async () => {
      server.addApplication({ name: 'fresh', revisions: [A] });
      await expect(createArgoCdExecutor(config).dryRun(rollback('argocd:fresh'))).rejects.toMatchObject({ code: 'ARGOCD.NO_PREVIOUS_REVISION', retryable: false });
      await expect(createArgoCdExecutor({ ...config, token: 'x' }).dryRun(rollback())).rejects.toMatchObject({ code: 'ARGOCD.UNAUTHORIZED' });
    });
  });

  describe('exactly once across a crash', () => {
    it('does not post again when the first attempt died after the POST reached the server', async () => {
      server.setRollbackBehaviour({ durationMs: 100 });
      // The server applies the rollback at once but holds the answer, so the client is cut off mid-call.
      server.holdResponses({ method: 'POST', pathIncludes: '/rollback' }, 2_000);
      const executor = createArgoCdExecutor(config);
      const journal = new InMemoryExecutionJournal();
      const firstContext = testExecutionContext({ journal });
      const first = executor.execute(rollback(), firstContext);
      await server.waitForRequest({ method: 'POST', pathIncludes: '/rollback' });
      firstContext.abort(new Error('worker killed'));
      expect(await first).toMatchObject({ status: 'failed', code: 'ARGOCD.ABORTED', retryable: true });

      const second = succeeded(await executor.execute(rollback(), testExecutionContext({ journal, attempt: 2 })));
      expect(second.result).toMatchObject({ historyId: 1, revision: B, previousRevision: C, rollbackRequestsSent: 0 });
      expect(String(second.result.reconciledEarlierRequest)).toMatch(/2222222/);
      expect(server.rollbackRequests()).toHaveLength(1);
      expect(server.application('payments').status?.history?.map((h) => h.revision)).toEqual([A, B, C, B]);
    });

    it('does not post again when the first attempt died after the rollback completed', async () => {
      const executor = createArgoCdExecutor(config);
      const journal = new InMemoryExecutionJournal();
      const firstContext = testExecutionContext({ journal });
      server.setRollbackBehaviour({ durationMs: 30 });
      const first = executor.execute(rollback(), firstContext);
      await server.waitForRequest({ method: 'POST', pathIncludes: '/rollback' });
      firstContext.abort();
      await first;
      await new Promise((resolve) => setTimeout(resolve, 100)); // the operation finishes while "no worker runs"

      const second = succeeded(await executor.execute(rollback(), testExecutionContext({ journal, attempt: 2 })));
      expect(second.result).toMatchObject({ revision: B, rollbackRequestsSent: 0 });
      expect(server.rollbackRequests()).toHaveLength(1);
      // Without the journal the default target would now be C (the previous entry after the rollback): the retry must not flip back.
      expect(server.application('payments').status?.history?.map((h) => h.revision)).toEqual([A, B, C, B]);
    });

    it('posts on retry when the first attempt died between the journal step and the POST', async () => {
      const executor = createArgoCdExecutor(config);
      const controller = new AbortController();
      const journal = new InMemoryExecutionJournal();
      const dyingJournal = {
        get steps() {
          return journal.steps;
        },
        record: async (step: Parameters<InMemoryExecutionJournal['record']>[0]) => {
          await journal.record(step);
          controller.abort(); // the worker is killed right after the step became durable
        },
      };
      const first = await executor.execute(rollback(), { ...testExecutionContext(), journal: dyingJournal, signal: controller.signal });
      expect(first).toMatchObject({ status: 'failed', code: 'ARGOCD.ABORTED', retryable: true });
      expect(server.rollbackRequests()).toHaveLength(0);

      const second = succeeded(await executor.execute(rollback(), testExecutionContext({ journal, attempt: 2 })));
      expect(second.result).toMatchObject({ revision: B, rollbackRequestsSent: 1 });
      expect(server.rollbackRequests()).toHaveLength(1);
    });
  });
});
