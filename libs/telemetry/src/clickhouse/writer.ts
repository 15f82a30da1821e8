import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, otelLogsV1, otelMetricsV1, otelSpansV1 } from '@vigil/contracts';
import type { BatchHandler, BusMessage, DeliveredBatch } from '../bus/telemetry-bus';
import { logRow, METRIC_TABLES, metricRow, spanRow, type Row } from './rows';

export interface ClickHouseWriterOptions {
  client: ClickHouseClient;
  /** Database of the tables (see ClickHouseMigrator). Default 'default'. */
  database?: string;
  /** A table's buffer is inserted once it holds this many rows. Default 5 000. */
  maxRows?: number;
  /** …or this long after its first row arrived. Default 1 000 ms. */
  flushIntervalMs?: number;
  /** Backoff between retries of a failed insert. Default 200 ms doubling to 10 s. */
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Called when ClickHouse starts failing (intake paused) and when it recovers. */
  onPause?: (error: unknown) => void;
  onResume?: () => void;
}

interface Pending {
  rows: Row[];
  ids: string[];
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
  timer: NodeJS.Timeout | null;
}

export interface WriterStats {
  insertedRows: number;
  inserts: number;
  failedInserts: number;
}

/**
 * Consumes telemetry bus batches into the otel_* tables. Rows are buffered per table and inserted in batches of
 * `maxRows` or every `flushIntervalMs`; the bus batch is acknowledged (handler resolves) only once all its rows are
 * in ClickHouse. Each insert carries an insert_deduplication_token derived from the bus message ids it holds, so an
 * insert retried after a lost answer, or a batch replayed with the same messages, is stored once. When ClickHouse
 * fails the writer retries the same insert with backoff and does not acknowledge: the bus stops delivering and fills,
 * and the receivers push back with 429/503. It never drops a batch.
 */
export class ClickHouseTelemetryWriter {
  private readonly database: string;
  private readonly maxRows: number;
  private readonly flushIntervalMs: number;
  private readonly retryInitial: number;
  private readonly retryMax: number;
  private readonly buffers = new Map<string, Pending>();
  /** One insert at a time per table, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private stopped = false;
  private failing = false;
  readonly stats: WriterStats = { insertedRows: 0, inserts: 0, failedInserts: 0 };

  constructor(private readonly options: ClickHouseWriterOptions) {
    this.database = options.database ?? 'default';
    this.maxRows = options.maxRows ?? 5_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.retryInitial = options.retryInitialDelayMs ?? 200;
    this.retryMax = options.retryMaxDelayMs ?? 10_000;
  }

  /** True while inserts fail (intake is paused: nothing is acknowledged). */
  get paused(): boolean {
    return this.failing;
  }

  /** The bus handler. */
  readonly handler: BatchHandler = (batch) => this.write(batch);

  async start(): Promise<void> {
    this.stopped = false;
  }

  /** Flushes what is buffered (waiting for ClickHouse if it fails, unless `abandon`), then refuses new batches. */
  async stop(options: { abandon?: boolean } = {}): Promise<void> {
    if (options.abandon) this.stopped = true;
    for (const table of [...this.buffers.keys()]) this.flush(table);
    await Promise.all([...this.chains.values()].map((chain) => chain.catch(() => undefined)));
    this.stopped = true;
  }

  /** Buffers a bus batch; resolves once every row of it is inserted. */
  write(batch: DeliveredBatch): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('ClickHouseTelemetryWriter is stopped'));
    const byTable = new Map<string, { rows: Row[]; ids: string[] }>();
    const add = (table: string, row: Row, message: BusMessage) => {
      let entry = byTable.get(table);
      if (!entry) byTable.set(table, (entry = { rows: [], ids: [] }));
      entry.rows.push(row);
      if (entry.ids[entry.ids.length - 1] !== message.id) entry.ids.push(message.id);
    };
    for (const message of batch.messages) {
      switch (message.topic) {
        case OTEL_SPANS_V1:
          for (const span of otelSpansV1.decode(message.value).spans) add('otel_traces', spanRow(span), message);
          break;
        case OTEL_LOGS_V1:
          for (const log of otelLogsV1.decode(message.value).logs) add('otel_logs', logRow(log), message);
          break;
        case OTEL_METRICS_V1:
          for (const point of otelMetricsV1.decode(message.value).points) add(METRIC_TABLES[point.type], metricRow(point), message);
          break;
        default:
          return Promise.reject(new Error(`ClickHouseTelemetryWriter: no table for topic ${message.topic}`));
      }
    }
    if (byTable.size === 0) return Promise.resolve();
    return Promise.all([...byTable].map(([table, { rows, ids }]) => this.append(table, rows, ids))).then(() => undefined);
  }

  private append(table: string, rows: Row[], ids: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let pending = this.buffers.get(table);
      if (!pending) {
        pending = { rows: [], ids: [], waiters: [], timer: null };
        this.buffers.set(table, pending);
        pending.timer = setTimeout(() => this.flush(table), this.flushIntervalMs);
      }
      for (const row of rows) pending.rows.push(row);
      for (const id of ids) pending.ids.push(id);
      pending.waiters.push({ resolve, reject });
      if (pending.rows.length >= this.maxRows) this.flush(table);
    });
  }

  private flush(table: string): void {
    const pending = this.buffers.get(table);
    if (!pending) return;
    this.buffers.delete(table);
    if (pending.timer) clearTimeout(pending.timer);
    const token = `${table}:${createHash('sha256').update(pending.ids.join('\n')).digest('hex')}`;
    const previous = this.chains.get(table) ?? Promise.resolve();
    const chain = previous.then(() => this.insertUntilDone(table, pending.rows, token)).then(
      () => pending.waiters.forEach((waiter) => waiter.resolve()),
      (error: Error) => pending.waiters.forEach((waiter) => waiter.reject(error)),
    );
    this.chains.set(table, chain);
    void chain.finally(() => {
      if (this.chains.get(table) === chain) this.chains.delete(table);
    });
  }

  private async insertUntilDone(table: string, rows: Row[], token: string): Promise<void> {
    let delay = this.retryInitial;
    for (;;) {
      try {
        await this.options.client.insert({
          table: `\`${this.database}\`.${table}`,
          values: rows,
          format: 'JSONEachRow',
          clickhouse_settings: { insert_deduplication_token: token, date_time_input_format: 'basic' },
        });
        this.stats.inserts++;
        this.stats.insertedRows += rows.length;
        if (this.failing) {
          this.failing = false;
          this.options.onResume?.();
        }
        return;
      } catch (error) {
        this.stats.failedInserts++;
        if (!this.failing) {
          this.failing = true;
          this.options.onPause?.(error);
        }
        if (this.stopped) throw error instanceof Error ? error : new Error(String(error));
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.retryMax);
      }
    }
  }
}
