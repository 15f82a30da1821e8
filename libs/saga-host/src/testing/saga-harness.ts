import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import pino from 'pino';
import { CommandBus, loadApprovalPolicy } from '@vigil/application';
import { ApprovalRequested } from '@vigil/domain/approval';
import { SagaOptions } from '@vigil/domain/approval-saga';
import { RemediationAction } from '@vigil/domain/remediation';
import { RecordedEvent, START } from '@vigil/event-store';
import { createPostgresFixture, PostgresFixture } from '../../../event-store/src/postgres/postgres-fixture';
import { LogChannel, NotificationLogger, verifyWebhookSignature, WebhookChannel } from '../../../notifications/src';
import { ApprovalSagaHost, ApprovalSagaHostOptions } from '../saga-host';
import { jobIdOf } from '../timers/bull-timers';

export const WEBHOOK_SECRET = 'saga-spec-secret';

export interface WebhookArrival {
  readonly receivedAt: number;
  readonly body: { readonly id: string; readonly subject: string; readonly level?: number; readonly escalationId?: string; readonly refs: Record<string, string> };
  readonly signed: boolean;
}

/** A local HTTP receiver standing in for the paging webhook; it records every delivery and when it arrived. */
export async function startWebhookReceiver() {
  const arrivals: WebhookArrival[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const signed = verifyWebhookSignature(
        WEBHOOK_SECRET,
        { timestamp: request.headers['x-vigil-timestamp'] as string, signature: request.headers['x-vigil-signature'] as string },
        text,
      );
      arrivals.push({ receivedAt: Date.now(), body: JSON.parse(text), signed });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `dlv-${arrivals.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pager`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface HarnessOptions {
  /** Environment for loadApprovalPolicy (VIGIL_APPROVAL_TIMEOUT_MEDIUM=3s…). */
  readonly env?: Record<string, string>;
  readonly redisUrl?: string;
  readonly saga?: Partial<SagaOptions>;
  readonly reconcileIntervalMs?: number;
}

/**
 * A migrated database, the command bus, a policy, a webhook receiver, a capturing log channel and a private BullMQ
 * prefix: everything an integration spec of the saga host needs. `host()` builds a new host on the same state
 * (what a restarted process would be).
 */
export async function startSagaHarness(options: HarnessOptions = {}) {
  const fx: PostgresFixture = await createPostgresFixture();
  const bus = new CommandBus(fx.store);
  const policy = loadApprovalPolicy(options.env ?? {});
  const webhook = await startWebhookReceiver();
  const logLines: { readonly subject?: string; readonly object: Record<string, unknown> }[] = [];
  const logLogger: NotificationLogger = {
    info: (object, subject) => logLines.push({ object: object as Record<string, unknown>, subject }),
    warn: (object, subject) => logLines.push({ object: object as Record<string, unknown>, subject }),
  };
  const redisUrl = options.redisUrl ?? (process.env.REDIS_URL as string);
  const prefix = `vigil-spec-${randomUUID().slice(0, 8)}`;
  const logger = pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' });
  const hosts: ApprovalSagaHost[] = [];

  const host = (overrides: ApprovalSagaHostOptions = {}) => {
    const created = new ApprovalSagaHost(
      {
        pool: fx.app,
        store: fx.store,
        bus,
        policy,
        redis: { url: redisUrl },
        channels: {
          log: new LogChannel(logLogger),
          pagerduty: new WebhookChannel({ url: webhook.url, secret: WEBHOOK_SECRET, name: 'pager-webhook', timeoutMs: 2000 }),
        },
        logger,
      },
      {
        saga: options.saga,
        processor: { pollIntervalMs: 50, lockRetryMs: 200 },
        timers: { prefix, backoffMs: 200 },
        notifier: { backoffMs: 100 },
        reconcileIntervalMs: options.reconcileIntervalMs ?? 30_000,
        ...overrides,
      },
    );
    hosts.push(created);
    return created;
  };

  const events = async (): Promise<RecordedEvent[]> => {
    const all: RecordedEvent[] = [];
    for (;;) {
      const batch = await fx.store.readAll(all.length ? all[all.length - 1].position : START, 1000);
      all.push(...batch);
      if (batch.length < 1000) return all;
    }
  };

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const eventOf = (type: string, match: (data: Record<string, unknown>) => boolean = () => true) =>
    waitFor(type, async () => (await events()).find((e) => e.type === type && match(e.data as Record<string, unknown>)));

  /** An anomaly and an AI's proposal for it, both now; resolves with the approval the saga requested. */
  async function proposeForAnomaly(action: RemediationAction, anomalyId: string = randomUUID()) {
    const now = new Date().toISOString();
    await bus.send('anomaly', anomalyId, {
      type: 'DetectAnomaly',
      data: { anomalyId, service: 'payments-api', operation: 'POST /charge', signal: 'latency_p99', expected: 180, actual: 950, score: 0.97, severity: 'error', window: { start: now, end: now } },
      metadata: { now, actor: 'system:detector', correlationId: `incident-${anomalyId}` },
    });
    const proposalId = randomUUID();
    await bus.send('proposal', proposalId, {
      type: 'ProposeRemediation',
      data: { proposalId, action, rationale: 'latency rose after the deploy', anomalyId },
      metadata: { now, actor: 'ai:investigator', correlationId: `incident-${anomalyId}` },
    });
    return { anomalyId, proposalId, proposedAt: now };
  }

  const approvalRequestedFor = async (proposalId: string) =>
    (await eventOf('ApprovalRequested', (data) => data.proposalId === proposalId)).data as ApprovalRequested['data'];

  const timerJob = async (queueHost: ApprovalSagaHost, timerId: string) => queueHost.timers.queue.getJob(jobIdOf(timerId));

  return {
    fx,
    bus,
    policy,
    webhook,
    logLines,
    prefix,
    host,
    events,
    waitFor,
    eventOf,
    proposeForAnomaly,
    approvalRequestedFor,
    timerJob,
    async teardown() {
      for (const created of hosts) await created.stop().catch(() => undefined);
      await webhook.close();
      await fx.teardown();
    },
  };
}

export type SagaHarness = Awaited<ReturnType<typeof startSagaHarness>>;
