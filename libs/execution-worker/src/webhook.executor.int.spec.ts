import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { CommandBus, UsersRepository } from '@vigil/application';
import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import type { RemediationAction } from '@vigil/domain/remediation';
import { ExecutorRegistry, type Action, type ExecutionOutcome } from '@vigil/executors';
import { InMemoryExecutionJournal, testExecutionContext } from '@vigil/integrations/argocd';
import { createPostgresFixture, type PostgresFixture } from '../../event-store/src/postgres/postgres-fixture';
import { readExecutionJournal } from './execution-journal';
import { ExecutionQueue } from './execution-queue';
import { ExecutionWorker } from './execution-worker';
import { executionEvents, seedExecution, waitForTerminal } from './testing/execution-fixtures';
import { WEBHOOK_REQUESTED_STEP, WebhookExecutor, verifyWebhookSignature, type WebhookRequestBody } from './webhook.executor';

jest.setTimeout(60_000);

const SECRET = 'webhook-test-secret';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  readonly body: WebhookRequestBody;
}

type Reply = { status: number; body?: unknown; delayMs?: number };

/** A receiver that records every POST and answers from a script (then with the fallback). */
class WebhookReceiver {
  readonly received: Received[] = [];
  private script: Reply[] = [];
  private fallback: Reply = { status: 200, body: { ok: true } };

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = http.createServer((req, res) => void holder.receiver?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`);
    return holder.receiver;
  }

  answer(...replies: Reply[]): void {
    this.script.push(...replies);
  }

  answerAlways(reply: Reply): void {
    this.fallback = reply;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    this.received.push({ headers: req.headers, raw, body: JSON.parse(raw) as WebhookRequestBody });
    const reply = this.script.shift() ?? this.fallback;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }
}

const failover: Action = { kind: 'db.failover', target: 'db:payments-primary', params: { to: 'db-replica-2' } };

describe('WebhookExecutor', () => {
  let receiver: WebhookReceiver;
  let executor: WebhookExecutor;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    executor = new WebhookExecutor({ url: receiver.url, secret: SECRET, timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('POSTs the action with an Idempotency-Key and a verifiable HMAC signature, and succeeds with the response JSON', async () => {
    receiver.answer({ status: 200, body: { previousPrimary: 'db-replica-1', primary: 'db-replica-2' } });
    const context = testExecutionContext({ executionId: 'exec-42', attempt: 2 });
    const outcome = await executor.execute(failover, context);

    expect(outcome).toEqual({
      status: 'succeeded',
      result: { previousPrimary: 'db-replica-1', primary: 'db-replica-2', webhookStatus: 200 },
      inverse: { kind: 'db.failover', target: 'db:payments-primary', params: { to: 'db-replica-1' } },
    });
    const [request] = receiver.received;
    expect(request.body).toEqual({ executionId: 'exec-42', idempotencyKey: 'idem-exec-42', attempt: 2, action: failover });
    expect(request.headers['idempotency-key']).toBe('idem-exec-42');
    expect(request.headers['content-type']).toBe('application/json');
    const timestamp = request.headers['x-vigil-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(request.headers['x-vigil-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, timestamp, request.raw, request.headers['x-vigil-signature'] as string)).toBe(true);
    expect(verifyWebhookSignature('other-secret', timestamp, request.raw, request.headers['x-vigil-signature'] as string)).toBe(false);
    expect(verifyWebhookSignature(SECRET, timestamp, request.raw.replace('db-replica-2', 'db-replica-9'), request.headers['x-vigil-signature'] as string)).toBe(false);
    expect(context.journal.steps).toEqual([{ name: WEBHOOK_REQUESTED_STEP, detail: { url: receiver.url, attempt: 2, earlierRequests: 0 } }]);
  });

  it('wraps a non-object response and reports no inverse when the receiver did not say what was before', async () => {
    receiver.answer({ status: 202, body: 'accepted' });
    expect(await executor.execute(failover, testExecutionContext())).toEqual({ status: 'succeeded', result: { response: 'accepted', webhookStatus: 202 } });
  });

  it.each([
    [400, 'WEBHOOK.REJECTED', false],
    [404, 'WEBHOOK.REJECTED', false],
    [409, 'WEBHOOK.REJECTED', false],
    [429, 'WEBHOOK.THROTTLED', true],
    [500, 'WEBHOOK.SERVER_ERROR', true],
    [503, 'WEBHOOK.SERVER_ERROR', true],
  ])('maps %i to %s (retryable: %s)', async (status, code, retryable) => {
    receiver.answer({ status, body: { message: 'no such cluster' } });
    const outcome = await executor.execute(failover, testExecutionContext());
    expect(outcome).toMatchObject({ status: 'failed', code, retryable });
    expect((outcome as Extract<ExecutionOutcome, { status: 'failed' }>).error).toContain(`answered ${status}: no such cluster`);
  });

  it('maps a refused connection and a timeout to retryable failures', async () => {
    const url = receiver.url;
    receiver.answer({ status: 200, delayMs: 1_000 });
    const slow = await new WebhookExecutor({ url, secret: SECRET, timeoutMs: 200 }).execute(failover, testExecutionContext());
    expect(slow).toMatchObject({ status: 'failed', code: 'WEBHOOK.TIMEOUT', retryable: true });

    await receiver.close();
    const down = await new WebhookExecutor({ url, secret: SECRET }).execute(failover, testExecutionContext());
    expect(down).toMatchObject({ status: 'failed', code: 'WEBHOOK.UNAVAILABLE', retryable: true });
    receiver = await WebhookReceiver.start();
  });

  it('stops when the lease is lost (signal aborted) with a retryable WEBHOOK.ABORTED', async () => {
    receiver.answer({ status: 200, delayMs: 1_000 });
    const context = testExecutionContext();
    const pending = executor.execute(failover, context);
    setTimeout(() => context.abort(new Error('lease lost')), 100);
    expect(await pending).toMatchObject({ status: 'failed', code: 'WEBHOOK.ABORTED', retryable: true });
  });

  it('handles only its configured kinds (default db.failover, region.failover; ticket.create when configured)', async () => {
    expect(executor.kinds).toEqual(['db.failover', 'region.failover']);
    expect(await executor.execute({ kind: 'notify', target: 'slack:#ops', params: {} }, testExecutionContext())).toMatchObject({ code: 'WEBHOOK.INVALID_ACTION', retryable: false });
    expect(receiver.received).toHaveLength(0);

    const tickets = new WebhookExecutor({ url: receiver.url, secret: SECRET, kinds: ['ticket.create'] });
    receiver.answer({ status: 201, body: { key: 'OPS-17' } });
    expect(await tickets.execute({ kind: 'ticket.create', target: 'jira:OPS', params: { summary: 'x' } }, testExecutionContext())).toEqual({
      status: 'succeeded',
      result: { key: 'OPS-17', webhookStatus: 201 },
    });
    expect(await executor.dryRun(failover)).toMatchObject({ supported: false });
  });

  it('journals each request: a retry after a crash re-posts with the same Idempotency-Key', async () => {
    const journal = new InMemoryExecutionJournal();
    receiver.answer({ status: 503 }, { status: 200, body: { previousPrimary: 'db-replica-1' } });
    expect(await executor.execute(failover, testExecutionContext({ journal }))).toMatchObject({ status: 'failed', retryable: true });
    expect(await executor.execute(failover, testExecutionContext({ journal, attempt: 2 }))).toMatchObject({ status: 'succeeded' });
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual(['idem-exec-1', 'idem-exec-1']);
    expect(journal.steps.map((step) => step.detail.earlierRequests)).toEqual([0, 1]);
  });

  describe('through the execution worker', () => {
    let fx: PostgresFixture;
    let redis: Redis;
    let queue: ExecutionQueue;
    let worker: ExecutionWorker;

    beforeAll(async () => {
      fx = await createPostgresFixture();
      redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });
    });

    afterAll(async () => {
      await worker?.close();
      await queue?.queue.obliterate({ force: true });
      await queue?.close();
      redis.disconnect();
      await fx.teardown();
    });

    it('runs a granted high-tier db.failover: a 503 is retried with the same Idempotency-Key, then it succeeds with the inverse', async () => {
      const bus = new CommandBus(fx.store);
      const users = new UsersRepository(fx.app);
      await users.add({ id: 'sam', roles: ['sre'] }, new Date().toISOString());
      await users.add({ id: 'mia', roles: ['manager'] }, new Date().toISOString());
      const seeded = await seedExecution(bus, {
        action: failover as RemediationAction,
        approvers: [{ by: 'sam', roles: ['sre'] }, { by: 'mia', roles: ['manager'] }],
        maxAttempts: 3,
      });
      const prefix = `vigil-webhook-${randomUUID().slice(0, 8)}`;
      queue = new ExecutionQueue({ connection: redis, prefix, backoffDelayMs: 100 });
      worker = new ExecutionWorker({
        connection: redis,
        prefix,
        bus,
        store: fx.store,
        executors: new ExecutorRegistry([executor]),
        users,
        policy: DEFAULT_APPROVAL_POLICY,
        leaseMs: 2_000,
      });
      receiver.answer({ status: 503, body: { message: 'failover controller restarting' } }, { status: 200, body: { previousPrimary: 'db-replica-1', primary: 'db-replica-2' } });
      await queue.enqueue(seeded.executionId);

      expect((await waitForTerminal(bus, seeded.executionId)).status).toBe('Succeeded');
      expect(receiver.received).toHaveLength(2);
      expect(new Set(receiver.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`exec-${seeded.executionId}`]));
      expect(receiver.received.map((r) => r.body.attempt)).toEqual([1, 2]);
      const events = await executionEvents(fx.store, seeded.executionId);
      expect(events.find((event) => event.type === 'ExecutionFailed')?.data).toMatchObject({ attempt: 1, willRetry: true, error: expect.stringMatching(/^WEBHOOK\.SERVER_ERROR: .*failover controller restarting/) });
      expect(events[events.length - 1]).toMatchObject({
        type: 'ExecutionSucceeded',
        data: { attempt: 2, result: { previousPrimary: 'db-replica-1', webhookStatus: 200, inverse: { kind: 'db.failover', params: { to: 'db-replica-1' } } } },
      });
      expect((await readExecutionJournal(fx.store, seeded.executionId)).steps.map((step) => step.name)).toEqual([WEBHOOK_REQUESTED_STEP, WEBHOOK_REQUESTED_STEP]);
    });
  });
});
