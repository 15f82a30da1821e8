import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, otelLogsV1, otelMetricsV1, otelSpansV1 } from '@vigil/contracts';
import type { BatchHandler, BusMessage, DeliveredBatch } from '../bus/telemetry-bus';
import { compactRows, logRow, METRIC_TABLES, metricRow, spanRow, type Row } from './rows';

const WRITTEN_MESSAGES_TABLE = 'vigil_written_messages';
const LOOKUP_CHUNK = 2_000;

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
  /**
   * Prefix of the bus message ids recorded for replay dedup. Message ids must mean the same message for as long as
   * they are remembered: Kafka ids (topic/partition/offset) do; in-process ids restart with the process, so give
   * that bus a per-process scope. Default ''.
   */
  messageIdScope?: string;
  /**
   * Extra settings of every insert. In cluster mode pass { distributed_foreground_insert: 1 }: an insert into a
   * Distributed table then returns once the shards hold the rows (so acknowledging is safe) and the dedup token reaches
   * their replicated tables.
   */
  insertSettings?: ClickHouseSettings;
  /**
   * Hand each insert's rows to ClickHouse as a local file (`INSERT … FROM INFILE`) instead of in the request. Only
   * possible when ClickHouse runs in this process (chDB); default: on exactly then. chdb/connection turns a
   * client.insert into one SQL string (body joined, concatenated after the statement, copied into the engine), and
   * the engine spends more per byte on inline data than on a file: an otel_traces row costs ≈ 15% less CPU from a
   * file (bench/ingest/README.md, "Where the CPU of an insert goes").
   */
  insertFromFiles?: boolean;
}

/** The rows one bus message contributes to one table. */
export interface MessageRows {
  id: string;
  rows: Row[];
}

/** Rows per table, grouped per bus message (the writer's dedup unit). */
export class TableRows {
  readonly tables = new Map<string, MessageRows[]>();

  add(table: string, messageId: string, row: Row): void {
    let parts = this.tables.get(table);
    if (!parts) this.tables.set(table, (parts = []));
    const last = parts[parts.length - 1];
    if (last?.id === messageId) last.rows.push(row);
    else parts.push({ id: messageId, rows: [row] });
  }

  take(table: string): MessageRows[] {
    const parts = this.tables.get(table) ?? [];
    this.tables.delete(table);
    return parts;
  }
}

interface Pending {
  parts: MessageRows[];
  rowCount: number;
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
  timer: NodeJS.Timeout | null;
}

export interface WriterStats {
  insertedRows: number;
  inserts: number;
  failedInserts: number;
  /** Messages skipped because their rows were already stored (a replay). */
  replayedMessages: number;
}

/**
 * Consumes telemetry bus batches into the otel_* tables. Rows are buffered per table and inserted in batches of
 * `maxRows` or every `flushIntervalMs`; the bus batch is acknowledged (handler resolves) only once all its rows are
 * in ClickHouse. Replays are stored once however they are re-batched: each insert skips the messages
 * `vigil_written_messages` already lists for its table, carries an insert_deduplication_token derived from the message
 * ids it holds (so the same insert retried after a lost answer is dropped by ClickHouse), and records its ids there
 * with the same token once it succeeded. A crash between an insert and its record leaves that one insert to the
 * token alone, which holds only if the replay forms the same block. When ClickHouse
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
  private readonly files: InsertFiles | null;
  readonly stats: WriterStats = { insertedRows: 0, inserts: 0, failedInserts: 0, replayedMessages: 0 };

  constructor(private readonly options: ClickHouseWriterOptions) {
    this.database = options.database ?? 'default';
    this.maxRows = options.maxRows ?? 5_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.retryInitial = options.retryInitialDelayMs ?? 200;
    this.retryMax = options.retryMaxDelayMs ?? 10_000;
    this.files = (options.insertFromFiles ?? isInProcessChdb(options.client)) ? new InsertFiles() : null;
  }

  /** How rows reach ClickHouse: in the insert request, or as a local file ClickHouse reads (in-process chDB). */
  get transport(): 'request' | 'file' {
    return this.files ? 'file' : 'request';
  }

  get insertSettings(): ClickHouseSettings {
    return this.options.insertSettings ?? {};
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
    this.files?.close();
  }

  /** Buffers a bus batch as is (no processing); resolves once every row of it is inserted. */
  write(batch: DeliveredBatch): Promise<void> {
    const byTable = new TableRows();
    const add = (table: string, row: Row, message: BusMessage) => byTable.add(table, message.id, row);
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
    return this.writeTables(byTable.tables);
  }

  /** Buffers rows per table, each part tagged with its bus message id; resolves once all are inserted. */
  writeTables(byTable: ReadonlyMap<string, MessageRows[]>): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('ClickHouseTelemetryWriter is stopped'));
    const writes = [...byTable].filter(([, parts]) => parts.length > 0).map(([table, parts]) => this.append(table, parts));
    return Promise.all(writes).then(() => undefined);
  }

  private append(table: string, parts: MessageRows[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let pending = this.buffers.get(table);
      if (!pending) {
        pending = { parts: [], rowCount: 0, waiters: [], timer: null };
        this.buffers.set(table, pending);
        pending.timer = setTimeout(() => this.flush(table), this.flushIntervalMs);
      }
      for (const part of parts) {
        pending.parts.push(part);
        pending.rowCount += part.rows.length;
      }
      pending.waiters.push({ resolve, reject });
      if (pending.rowCount >= this.maxRows) this.flush(table);
    });
  }

  private flush(table: string): void {
    const pending = this.buffers.get(table);
    if (!pending) return;
    this.buffers.delete(table);
    if (pending.timer) clearTimeout(pending.timer);
    const previous = this.chains.get(table) ?? Promise.resolve();
    const chain = previous.then(() => this.untilDone(() => this.insertOnce(table, pending.parts))).then(
      () => pending.waiters.forEach((waiter) => waiter.resolve()),
      (error: Error) => pending.waiters.forEach((waiter) => waiter.reject(error)),
    );
    this.chains.set(table, chain);
    void chain.finally(() => {
      if (this.chains.get(table) === chain) this.chains.delete(table);
    });
  }

  /**
   * Runs `operation` (an idempotent ClickHouse write) until it succeeds, with backoff, pausing intake meanwhile; gives
   * up only once the writer is stopped.
   */
  async untilDone(operation: () => Promise<void>): Promise<void> {
    let delay = this.retryInitial;
    for (;;) {
      try {
        await operation();
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

  private async insertOnce(table: string, parts: MessageRows[]): Promise<void> {
    const scope = this.options.messageIdScope ?? '';
    const written = await this.writtenMessageIds(table, parts.map((part) => scope + part.id));
    const fresh = parts.filter((part) => !written.has(scope + part.id));
    this.stats.replayedMessages += parts.length - fresh.length;
    if (fresh.length === 0) return;
    const ids = fresh.map((part) => scope + part.id);
    const token = `${table}:${createHash('sha256').update(ids.join('\n')).digest('hex')}`;
    const rows = fresh.flatMap((part) => part.rows);
    await this.insertRows(table, rows, { ...this.options.insertSettings, insert_deduplication_token: token, date_time_input_format: 'basic' });
    this.stats.inserts++;
    this.stats.insertedRows += rows.length;
    await this.options.client.insert({
      table: `\`${this.database}\`.${WRITTEN_MESSAGES_TABLE}`,
      columns: ['TableName', 'MessageId'],
      values: ids.map((id) => [table, id]),
      format: 'JSONCompactEachRow',
      clickhouse_settings: { ...this.options.insertSettings, insert_deduplication_token: token },
    });
  }

  /** JSONCompactEachRow when the rows share one shape (cheaper to parse, smaller), else JSONEachRow. */
  private async insertRows(table: string, rows: Row[], settings: ClickHouseSettings): Promise<void> {
    const target = `\`${this.database}\`.${table}`;
    const compact = compactRows(rows);
    if (this.files) {
      // The same body @clickhouse/client would send (one JSON value and a newline per row), read from a file.
      const body = compact ? jsonLines(compact.values) : jsonLines(rows);
      const columns = compact ? ` (${compact.columns.join(', ')})` : '';
      await this.files.insert(body, (path) => this.options.client.command({
        query: `INSERT INTO ${target}${columns} FROM INFILE ${sqlString(path)} COMPRESSION 'none'${settingsClause(settings)} FORMAT ${compact ? 'JSONCompactEachRow' : 'JSONEachRow'}`,
      }));
    } else if (compact) {
      await this.options.client.insert({ table: target, columns: compact.columns, values: compact.values, format: 'JSONCompactEachRow', clickhouse_settings: settings });
    } else {
      await this.options.client.insert({ table: target, values: rows, format: 'JSONEachRow', clickhouse_settings: settings });
    }
  }

  /** Looked up in chunks: query parameters travel in the URL of the HTTP interface. */
  private async writtenMessageIds(table: string, ids: string[]): Promise<Set<string>> {
    const written = new Set<string>();
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
      const found = await (await this.options.client.query({
        query: `SELECT DISTINCT MessageId FROM \`${this.database}\`.${WRITTEN_MESSAGES_TABLE} WHERE TableName = {table:String} AND MessageId IN {ids:Array(String)}`,
        query_params: { table, ids: ids.slice(start, start + LOOKUP_CHUNK) },
        format: 'JSONEachRow',
      })).json<{ MessageId: string }>();
      for (const row of found) written.add(row.MessageId);
    }
    return written;
  }
}

/** One JSON value and a newline per row: the body of a JSONEachRow / JSONCompactEachRow insert. */
export function jsonLines(values: readonly unknown[]): string {
  let body = '';
  for (const value of values) body += `${JSON.stringify(value)}\n`;
  return body;
}

/** A ClickHouse string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** ` SETTINGS k = v, …` of one statement (so nothing outlives it, unlike a session SET), '' when there are none. */
export function settingsClause(settings: ClickHouseSettings): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid setting name ${JSON.stringify(name)}`);
    parts.push(`${name} = ${typeof value === 'number' ? String(value) : typeof value === 'boolean' ? (value ? '1' : '0') : sqlString(String(value))}`);
  }
  return parts.length > 0 ? ` SETTINGS ${parts.join(', ')}` : '';
}

/**
 * True when the client talks to chDB in this process (chdb/connection names itself 'chdb'): ClickHouse then shares
 * this process's file system, so an insert can read its rows from a local file.
 */
export function isInProcessChdb(client: ClickHouseClient): boolean {
  // @clickhouse/client keeps the connection it was given (`connection` option) in a field TypeScript calls private.
  const connection = (client as unknown as { connection?: { connectionName?: unknown } }).connection;
  return connection?.connectionName === 'chdb';
}

/**
 * Files that carry one insert's rows each, in a private temp dir named after this process: written, read by
 * `INSERT … FROM INFILE`, removed whatever the insert's outcome. The dir goes on close() and is made again when the
 * writer is used after that. A process killed mid-insert leaves its dir behind: the first insert of the next writer
 * removes the dirs of processes that are gone.
 */
export class InsertFiles {
  private dir: string | null = null;
  private sequence = 0;

  constructor(private readonly root: string = tmpdir()) {}

  async insert(body: string, run: (path: string) => Promise<unknown>): Promise<void> {
    if (!this.dir) {
      removeDirsOfGoneProcesses(this.root);
      this.dir = mkdtempSync(join(this.root, `${INSERT_DIR_PREFIX}${process.pid}-`));
    }
    const path = join(this.dir, `${++this.sequence}.ndjson`);
    await writeFile(path, body);
    try {
      await run(path);
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

const INSERT_DIR_PREFIX = 'vigil-insert-';

/** `vigil-insert-<pid>-<random>` dirs under `root` whose process no longer runs. */
function removeDirsOfGoneProcesses(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(INSERT_DIR_PREFIX) ? Number(/^(\d+)-[^-]+$/.exec(name.slice(INSERT_DIR_PREFIX.length))?.[1]) : NaN;
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
