import { createHash } from 'node:crypto';
import { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { CommandBus } from '@vigil/application';
import { DuplicateEventError, EventStore } from '@vigil/event-store';
import { refusalOf, SagaLogger, silentLogger, within } from '@vigil/saga-host';
import { DELIVERY_CHANNELS, DeliveryAttempt, DeliveryChannel, DeliveryRequest, DeliveryResult, isRetryable, retryAfterOf } from './delivery';
import { DeliveryRow, DeliveryStore } from './delivery-store';

export interface DeliveryServiceOptions {
  readonly pool: Pool;
  readonly store: EventStore;
  readonly bus: CommandBus;
  /** Redis for the queues: an ioredis instance created with `maxRetriesPerRequest: null`, or connection options. */
  readonly connection: ConnectionOptions;
  /** BullMQ key prefix (VIGIL_QUEUE_PREFIX). */
  readonly prefix?: string;
  readonly logger?: SagaLogger;
  /** Tries per delivery before it becomes a dead letter. Default 8. */
  readonly attempts?: number;
  /** Wait before the second try, doubled after each (at least a 429's Retry-After). Default 1000 ms. */
  readonly backoffMs?: number;
  /** Longest wait between tries. Default 5 minutes. */
  readonly maxBackoffMs?: number;
  /** Jobs worked at once per channel. Default 1 for slack, pagerduty and jira (a card's updates, an incident's trigger/ack/resolve and a ticket's comments stay in order), 4 for webhook. */
  readonly concurrency?: Partial<Record<DeliveryChannel, number>>;
  /** Between passes that re-queue pending deliveries Redis lost. Default 30 s. */
  readonly reconcileIntervalMs?: number;
  /** A pending delivery untouched this long is queued again (a no-op when its job still exists). Default 60 s. */
  readonly staleAfterMs?: number;
  readonly clock?: () => string;
}

/** The BullMQ queue of one channel; the dead-letter queue is `vigil-deliveries-dead-letter`. */
export const deliveryQueueName = (channel: DeliveryChannel): string => `vigil-deliveries-${channel}`;
export const DEAD_LETTER_QUEUE = 'vigil-deliveries-dead-letter';
const BACKOFF_TYPE = 'vigil-delivery';
const DEFAULT_CONCURRENCY: Record<DeliveryChannel, number> = { slack: 1, pagerduty: 1, jira: 1, webhook: 4 };
const DELIVERY_EVENT_NAMESPACE = 'b0a6f0a2-6c55-4d38-8d2c-7e1f3f0b9a11';

/** BullMQ job ids may not contain `:`; delivery ids do. A digest names the job, the table keeps the id. */
export const jobIdOf = (deliveryId: string): string => `d-${createHash('sha256').update(deliveryId).digest('hex').slice(0, 40)}`;

interface DeliveryJob {
  readonly deliveryId: string;
}

/** What a handler knows about the try it is making, beyond DeliveryAttempt. */
export interface DeliveryTry extends DeliveryAttempt {
  /** When the delivery was asked for: nothing it sent can be older. */
  readonly requestedAt: string;
  /**
   * An earlier try may have reached the service without its answer being recorded (it failed, or the process died
   * mid-try and the job was picked up again). Services without idempotency keys must then look before writing.
   */
  readonly retried: boolean;
}

export type DeliveryTryHandler = (payload: unknown, attempt: DeliveryTry) => Promise<DeliveryResult>;

/**
 * Outbound deliveries: one BullMQ queue per channel (slack, pagerduty, jira, webhook) with retries and exponential
 * backoff that honours Retry-After, over a table that holds every delivery until it ends. A delivery ends
 * `delivered`, `skipped` (deliberately not sent: a silence) or `dead` (out of tries, or a failure no try can fix);
 * dead letters are listed by the API and copied to the dead-letter queue. Each end is recorded in the event log:
 * on the escalation for escalation notices (RecordNotificationSent / RecordNotificationFailed), otherwise as
 * DeliverySucceeded / DeliverySkipped / DeliveryFailed in `delivery-<id>`. Nothing is dropped silently: a job Redis
 * lost is queued again from the table by the reconciler.
 */
export class DeliveryService {
  private readonly deliveries: DeliveryStore;
  private readonly handlers = new Map<string, DeliveryTryHandler>();
  private readonly queues = new Map<DeliveryChannel, Queue<DeliveryJob>>();
  private readonly workers: Worker<DeliveryJob>[] = [];
  private deadLetters?: Queue;
  private reconcileTimer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  private readonly logger: SagaLogger;
  private readonly clock: () => string;
  readonly attempts: number;
  private started = false;

  constructor(private readonly options: DeliveryServiceOptions) {
    this.deliveries = new DeliveryStore(options.pool);
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? (() => new Date().toISOString());
    this.attempts = Math.max(1, options.attempts ?? 8);
    for (const channel of DELIVERY_CHANNELS) {
      const queue = new Queue<DeliveryJob>(deliveryQueueName(channel), { connection: options.connection, ...(options.prefix ? { prefix: options.prefix } : {}) });
      queue.on('error', (error) => this.logger.warn({ err: error, channel }, 'delivery queue error'));
      this.queues.set(channel, queue);
    }
  }

  get store(): DeliveryStore {
    return this.deliveries;
  }

  /** The handler of one delivery kind (`slack.notice`…). */
  register(kind: string, handler: DeliveryTryHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Records the delivery (once per id) and queues it; with Redis unreachable the reconciler queues it later. */
  async enqueue(request: DeliveryRequest): Promise<{ deliveryId: string; created: boolean }> {
    const created = await this.deliveries.insert(request, this.clock());
    if (created) await this.queue(request.id, request.channel);
    return { deliveryId: request.id, created };
  }

  /** Every channel's worker, the reconciler (now, then periodically). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.deadLetters = new Queue(DEAD_LETTER_QUEUE, { connection: this.options.connection, ...(this.options.prefix ? { prefix: this.options.prefix } : {}) });
    this.deadLetters.on('error', (error) => this.logger.warn({ err: error }, 'dead-letter queue error'));
    for (const channel of DELIVERY_CHANNELS) {
      const worker = new Worker<DeliveryJob>(deliveryQueueName(channel), (job) => this.process(job), {
        connection: this.options.connection,
        ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
        concurrency: this.options.concurrency?.[channel] ?? DEFAULT_CONCURRENCY[channel],
        settings: { backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) => this.backoff(attemptsMade, error) },
      });
      worker.on('error', (error) => this.logger.warn({ err: error, channel }, 'delivery worker error'));
      this.workers.push(worker);
    }
    this.reconciling = this.reconcile();
    const interval = this.options.reconcileIntervalMs ?? 30_000;
    this.reconcileTimer = setInterval(() => {
      if (!this.reconciling) this.reconciling = this.reconcile();
    }, interval);
    this.reconcileTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await within(this.reconciling ?? Promise.resolve(), 5000);
    await Promise.all(this.workers.map((worker) => worker.close().catch(() => undefined)));
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    await this.deadLetters?.close().catch(() => undefined);
  }

  async deadLetterList(limit = 100, channel?: string): Promise<DeliveryRow[]> {
    return this.deliveries.dead(limit, channel);
  }

  /** Puts a dead letter back on its queue with fresh tries; false when there is no such dead letter. */
  async redrive(deliveryId: string): Promise<boolean> {
    const row = await this.deliveries.get(deliveryId);
    if (!row || row.status !== 'dead') return false;
    if (!(await this.deliveries.redrive(deliveryId, this.clock()))) return false;
    await within(this.deadLetters?.remove(jobIdOf(deliveryId)).catch(() => 0) ?? Promise.resolve(0), 3000);
    await this.queue(deliveryId, row.channel as DeliveryChannel);
    return true;
  }

  /** Least wait before the next try: exponential from `backoffMs`, never less than the service's Retry-After. */
  private backoff(attemptsMade: number, error?: Error): number {
    const base = this.options.backoffMs ?? 1000;
    const exponential = Math.min(this.options.maxBackoffMs ?? 300_000, base * 2 ** Math.max(0, attemptsMade - 1));
    return Math.max(exponential, retryAfterOf(error) ?? 0);
  }

  private async queue(deliveryId: string, channel: DeliveryChannel): Promise<void> {
    const queue = this.queues.get(channel);
    if (!queue) throw new Error(`no delivery queue for channel ${channel}`);
    try {
      const added = await within(
        queue.add('deliver', { deliveryId }, { jobId: jobIdOf(deliveryId), attempts: this.attempts, backoff: { type: BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: true }),
        3000,
      );
      if (!added) throw new Error('no answer from Redis within 3000 ms');
    } catch (error) {
      this.logger.warn({ err: error, deliveryId, channel }, 'delivery not queued now; the reconciler will queue it');
    }
  }

  private async process(job: Job<DeliveryJob>): Promise<void> {
    const row = await this.deliveries.get(job.data.deliveryId);
    if (!row || row.status !== 'pending') return;
    const attempt = Math.max(row.attempts, job.attemptsMade) + 1;
    const handler = this.handlers.get(row.kind);
    if (!handler) {
      await this.end(row, attempt, { error: `no handler for ${row.kind} (is the ${row.channel} integration configured?)` });
      return;
    }
    // A stalled job picked up again after a crash keeps attemptsMade; attemptsStarted and the row's touch show it.
    const retried = attempt > 1 || job.attemptsStarted > 1 || row.updatedAt !== row.createdAt;
    await this.deliveries.touch(row.id, this.clock());
    let result: DeliveryResult;
    try {
      result = await handler(row.payload, { deliveryId: row.id, attempt, requestedAt: row.createdAt, retried, ...(row.correlationId ? { correlationId: row.correlationId } : {}) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isRetryable(error) || attempt >= this.attempts) {
        this.logger.error({ deliveryId: row.id, kind: row.kind, attempt, error: message }, 'delivery failed for good: dead letter');
        await this.end(row, attempt, { error: message });
        return;
      }
      this.logger.warn({ deliveryId: row.id, kind: row.kind, attempt, error: message, retryAfterMs: retryAfterOf(error) }, 'delivery failed; will retry');
      await this.deliveries.attemptFailed(row.id, attempt, message, this.clock());
      throw error;
    }
    await this.end(row, attempt, result);
  }

  private async end(row: DeliveryRow, attempt: number, outcome: DeliveryResult | { readonly error: string }): Promise<void> {
    const now = this.clock();
    const status = 'externalRef' in outcome ? 'delivered' : 'skipped' in outcome ? 'skipped' : 'dead';
    const finished = await this.deliveries.finish(
      row.id,
      status,
      attempt,
      'externalRef' in outcome ? { externalRef: outcome.externalRef } : 'skipped' in outcome ? { error: `skipped: ${outcome.skipped}` } : { error: outcome.error },
      now,
    );
    if (!finished) return;
    if (status === 'dead') {
      await within(
        this.deadLetters?.add('dead-letter', { deliveryId: row.id, channel: row.channel, kind: row.kind, error: 'error' in outcome ? outcome.error : '' }, { jobId: jobIdOf(row.id) }).catch((error: unknown) => {
          this.logger.warn({ err: error, deliveryId: row.id }, 'dead letter not copied to the dead-letter queue (it is listed from the table)');
        }) ?? Promise.resolve(),
        3000,
      );
    }
    for (let tries = 1; ; tries++) {
      try {
        await this.record(row, attempt, outcome, now);
        return;
      } catch (error) {
        if (tries >= 3) {
          this.logger.error({ err: error, deliveryId: row.id, status }, 'delivery outcome not recorded in the event log');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * tries));
      }
    }
  }

  private async record(row: DeliveryRow, attempt: number, outcome: DeliveryResult | { readonly error: string }, now: string): Promise<void> {
    const escalation = row.escalation;
    if (escalation) {
      const base = { escalationId: escalation.escalationId, level: escalation.level, channel: escalation.channel, target: escalation.target };
      const metadata = (suffix: string) => ({
        now,
        actor: 'system:deliveries',
        ...(row.correlationId ? { correlationId: row.correlationId } : {}),
        idempotencyKey: `${escalation.noticeKey}:${suffix}`,
      });
      try {
        if ('externalRef' in outcome) {
          await this.options.bus.send('escalation', escalation.escalationId, { type: 'RecordNotificationSent', data: { ...base, externalRef: outcome.externalRef }, metadata: metadata('delivered') });
        } else {
          const error = 'skipped' in outcome ? `not sent: ${outcome.skipped}` : `gave up after ${attempt} tries: ${outcome.error}`;
          await this.options.bus.send('escalation', escalation.escalationId, { type: 'RecordNotificationFailed', data: { ...base, error, retryable: false }, metadata: metadata('skipped' in outcome ? 'skipped' : 'failed') });
        }
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        this.logger.warn({ deliveryId: row.id, code: refusal.code, reason: refusal.message }, 'delivery outcome refused by the escalation');
      }
      return;
    }
    const type = 'externalRef' in outcome ? 'DeliverySucceeded' : 'skipped' in outcome ? 'DeliverySkipped' : 'DeliveryFailed';
    const data = {
      deliveryId: row.id,
      channel: row.channel,
      kind: row.kind,
      attempts: attempt,
      ...('externalRef' in outcome ? { externalRef: outcome.externalRef } : 'skipped' in outcome ? { reason: outcome.skipped } : { error: outcome.error }),
      at: now,
    };
    try {
      await this.options.store.append(
        `delivery-${uuidv5(row.id, DELIVERY_EVENT_NAMESPACE)}`,
        [{ eventId: uuidv5(`${row.id}:${type}:${row.createdAt}:${attempt}`, DELIVERY_EVENT_NAMESPACE), type, data, metadata: { actor: 'system:deliveries', correlationId: row.correlationId ?? row.id, recordedAt: now, schemaVersion: 1 } }],
        'any',
      );
    } catch (error) {
      if (!(error instanceof DuplicateEventError)) throw error;
    }
  }

  /** Queues every pending delivery that has not moved for a while: BullMQ ignores the ones whose job still exists. */
  private async reconcile(): Promise<void> {
    try {
      const cutoff = new Date(Date.parse(this.clock()) - (this.options.staleAfterMs ?? 60_000)).toISOString();
      const stale = await this.deliveries.stalePending(cutoff, 500);
      for (const row of stale) {
        await this.queue(row.id, row.channel as DeliveryChannel);
        await this.deliveries.touch(row.id, this.clock());
      }
      if (stale.length) this.logger.info({ count: stale.length }, 'pending deliveries queued again');
    } catch (error) {
      this.logger.warn({ err: error }, 'delivery reconciliation failed; next pass retries');
    } finally {
      this.reconciling = undefined;
    }
  }
}
