import type { Pool } from 'pg';
import type { CommandBus } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import type { ExecutionQueue, RedriveResult } from './execution-queue';
import type { WorkerLog } from './execution-runner';

/** Where the sweeper finds work; the `executions` read model can stand in for the SQL below. */
export interface ExecutionLeaseIndex {
  /** Executions whose running attempt's lease ran out before `now`. */
  expiredLeases(now: Date): Promise<string[]>;
  /** Executions waiting for an attempt (Requested, AwaitingRetry) whose last event is older than `before`. */
  awaitingAttempt(before: Date): Promise<string[]>;
}

/** Event types of the Execution aggregate (the journal stream's steps are not among them). */
const EXECUTION_EVENT_TYPES = [
  'ExecutionRequested',
  'ExecutionStarted',
  'LeaseRenewed',
  'ExecutionLeaseExpired',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionRefused',
  'ExecutionVerified',
  'CompensationProposed',
  'ExecutionCompensated',
];

/**
 * A small query over the PostgreSQL event log: the last Execution event of every `execution-<id>` stream. Running
 * = the last event started or renewed a lease; awaiting an attempt = requested, a lease expired, or a failure that
 * will be retried.
 */
export class PostgresExecutionLeaseIndex implements ExecutionLeaseIndex {
  constructor(private readonly pool: Pool) {}

  async expiredLeases(now: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM (
         SELECT DISTINCT ON (stream_id) stream_id, type, data
           FROM events
          WHERE stream_id LIKE 'execution-%' AND type = ANY($1::text[])
          ORDER BY stream_id, stream_version DESC
       ) last
       WHERE type IN ('ExecutionStarted', 'LeaseRenewed') AND (data->>'leaseExpiresAt')::timestamptz < $2::timestamptz
       ORDER BY (data->>'leaseExpiresAt')::timestamptz`,
      [EXECUTION_EVENT_TYPES, now.toISOString()],
    );
    return rows.map((row) => executionIdOf(row.stream_id));
  }

  async awaitingAttempt(before: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM (
         SELECT DISTINCT ON (stream_id) stream_id, type, data
           FROM events
          WHERE stream_id LIKE 'execution-%' AND type = ANY($1::text[])
          ORDER BY stream_id, stream_version DESC
       ) last
       WHERE (type IN ('ExecutionRequested', 'ExecutionLeaseExpired') OR (type = 'ExecutionFailed' AND (data->>'willRetry')::boolean))
         AND (data->>'at')::timestamptz < $2::timestamptz
       ORDER BY (data->>'at')::timestamptz`,
      [EXECUTION_EVENT_TYPES, before.toISOString()],
    );
    return rows.map((row) => executionIdOf(row.stream_id));
  }
}

const executionIdOf = (streamId: string): string => streamId.slice('execution-'.length);

export interface LeaseSweeperOptions {
  readonly bus: Pick<CommandBus, 'send'>;
  readonly queue: Pick<ExecutionQueue, 'ensureQueued'>;
  readonly index: ExecutionLeaseIndex;
  /** Time between sweeps; default 5 000 ms. */
  readonly intervalMs?: number;
  /**
   * An execution waiting for an attempt this long with no event is re-driven too (its job was lost: Redis
   * flushed, queue attempts used up, enqueue never happened); default 60 000 ms. Keep it above the longest backoff
   * you want honoured; a delayed job is never hurried.
   */
  readonly awaitingAttemptAfterMs?: number;
  readonly now?: () => Date;
  readonly actor?: string;
  readonly log?: WorkerLog;
}

export interface SweepReport {
  /** Executions whose expired lease this sweep recorded (ExpireLease appended something). */
  readonly expired: string[];
  /** Executions handed back to the queue, with what the queue did. */
  readonly redriven: { readonly executionId: string; readonly result: RedriveResult }[];
}

/**
 * Re-drives executions whose worker died: records the expired lease (`ExpireLease`: the execution awaits a retry,
 * or fails for good when no attempt is left), then makes sure a job exists so a live worker takes the next attempt.
 * Safe to run in several processes at once: ExpireLease on a renewed or already-expired lease changes nothing, and
 * enqueueing is idempotent.
 */
export class LeaseSweeper {
  private readonly intervalMs: number;
  private readonly awaitingAttemptAfterMs: number;
  private readonly now: () => Date;
  private readonly actor: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly options: LeaseSweeperOptions) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.awaitingAttemptAfterMs = options.awaitingAttemptAfterMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
    this.actor = options.actor ?? 'system:lease-sweeper';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.sweepOnce()
        .catch((error: unknown) => this.options.log?.('error', 'lease sweep failed; retrying', { err: error }))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async sweepOnce(): Promise<SweepReport> {
    const now = this.now();
    const expired: string[] = [];
    const redriven: { executionId: string; result: RedriveResult }[] = [];
    const touched = new Set<string>();

    for (const executionId of await this.options.index.expiredLeases(now)) {
      touched.add(executionId);
      try {
        const handled = await this.options.bus.send('execution', executionId, {
          type: 'ExpireLease',
          data: { executionId },
          metadata: { now: this.now().toISOString(), actor: this.actor },
        });
        if (handled.events.length > 0) expired.push(executionId);
        const final = handled.events.some((event) => event.type === 'ExecutionFailed' && !event.data.willRetry);
        this.options.log?.('warn', final ? 'lease expired on the last attempt: execution failed' : 'lease expired: re-driving the execution', { executionId });
        if (final) continue;
      } catch (error) {
        // Renewed since the query (LEASE_NOT_EXPIRED) or otherwise moved on: nothing to do now.
        if (error instanceof DomainError) continue;
        throw error;
      }
      redriven.push({ executionId, result: await this.options.queue.ensureQueued(executionId) });
    }

    const before = new Date(now.getTime() - this.awaitingAttemptAfterMs);
    for (const executionId of await this.options.index.awaitingAttempt(before)) {
      if (touched.has(executionId)) continue;
      const result = await this.options.queue.ensureQueued(executionId);
      if (result === 'added') this.options.log?.('warn', 'execution had no job: re-enqueued', { executionId });
      redriven.push({ executionId, result });
    }
    return { expired, redriven };
  }
}
