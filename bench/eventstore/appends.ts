import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { createAppPool, createOwnerPool } from '@vigil/database';
import { NewEvent, PostgresEventStore } from '@vigil/event-store';
import { percentile } from '../lib/report';
import { progressBar } from '../lib/progress';
import { sampleEvent, sampleStreamId } from './sample-events';

export type Side = 'ours' | 'plain';

/** Each worker writes its own streams: this many appends (with exact expected versions), then a new stream. */
const APPENDS_PER_STREAM = 10;

/** Measured time per side is cut into slices of about this length, alternating sides. */
const SLICE_SECONDS = 0.5;

export interface AppendSideResult {
  readonly appends: number;
  readonly events: number;
  readonly seconds: number;
  readonly appendsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** CPU this Node process spent per append (event generation, the store's hashing, pg's (de)serialisation). */
  readonly clientCpuMicrosPerAppend: number;
}

export interface AppendCell {
  readonly concurrency: number;
  readonly eventsPerAppend: number;
  readonly ours: AppendSideResult;
  readonly plain: AppendSideResult;
  /** ours / plain, appends per second. */
  readonly ratio: number;
}

export interface AppendOptions {
  readonly concurrencies: readonly number[];
  readonly eventsPerAppend: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
}

/**
 * The baseline: the same columns and indexes as `events`, minus the hash chain (prev_hash, hash) and minus
 * the UNIQUE (stream_id, stream_version) that gives optimistic concurrency — the stream index stays, as a
 * plain one, because any event table needs it to read a stream. Same grants, so it is written as the app role.
 */
const EVENTS_PLAIN_DDL = [
  `CREATE TABLE events_plain (
     global_position bigserial PRIMARY KEY,
     transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
     stream_id text NOT NULL,
     stream_version bigint NOT NULL CHECK (stream_version >= 0),
     event_id uuid NOT NULL,
     type text NOT NULL,
     data jsonb NOT NULL,
     metadata jsonb NOT NULL,
     recorded_at timestamptz NOT NULL,
     CONSTRAINT events_plain_event_id_unique UNIQUE (event_id)
   )`,
  `CREATE INDEX events_plain_stream ON events_plain (stream_id, stream_version)`,
  `CREATE INDEX events_plain_global_order ON events_plain (transaction_id, global_position)`,
  `CREATE INDEX events_plain_recorded_at ON events_plain (recorded_at)`,
  `CREATE INDEX events_plain_type ON events_plain (type)`,
  `GRANT SELECT, INSERT ON events_plain TO vigil_app`,
  `GRANT USAGE ON SEQUENCE events_plain_global_position_seq TO vigil_app`,
];

const COLUMNS_PER_ROW = 7;

/** One multi-row INSERT per append, autocommit; returns positions like the store's append does. */
function plainInsertSql(eventsPerAppend: number): string {
  const rows = Array.from({ length: eventsPerAppend }, (_, i) => {
    const p = i * COLUMNS_PER_ROW;
    return `($${p + 1}, $${p + 2}, $${p + 3}::uuid, $${p + 4}, $${p + 5}::jsonb, $${p + 6}::jsonb, $${p + 7}::timestamptz)`;
  });
  return `INSERT INTO events_plain (stream_id, stream_version, event_id, type, data, metadata, recorded_at)
    VALUES ${rows.join(', ')} RETURNING global_position, transaction_id::text AS transaction_id`;
}

/** Appends `events` to `streamId` as versions firstVersion, firstVersion + 1, … */
type AppendOnce = (streamId: string, firstVersion: number, events: readonly NewEvent[]) => Promise<void>;

function appenders(pool: Pool, store: PostgresEventStore, eventsPerAppend: number): Record<Side, AppendOnce> {
  const sql = plainInsertSql(eventsPerAppend);
  return {
    ours: async (streamId, firstVersion, events) => {
      const result = await store.append(streamId, events, firstVersion === 0 ? 'no_stream' : firstVersion - 1);
      if (result.nextExpectedVersion !== firstVersion + events.length - 1) throw new Error(`Unexpected version ${result.nextExpectedVersion}`);
    },
    plain: async (streamId, firstVersion, events) => {
      const params: unknown[] = [];
      events.forEach((event, i) =>
        params.push(streamId, firstVersion + i, event.eventId, event.type, JSON.stringify(event.data ?? null), JSON.stringify(event.metadata), event.metadata.recordedAt),
      );
      await pool.query(sql, params);
    },
  };
}

interface Tally {
  appends: number;
  cpuMicros: number;
  readonly latencies: number[];
}

const newTally = (): Tally => ({ appends: 0, cpuMicros: 0, latencies: [] });

async function worker(append: AppendOnce, eventsPerAppend: number, stopAt: number, tally: Tally): Promise<void> {
  let n = 0;
  while (performance.now() < stopAt) {
    const streamId = sampleStreamId(n, randomUUID());
    for (let i = 0; i < APPENDS_PER_STREAM && performance.now() < stopAt; i++) {
      const recordedAt = new Date().toISOString();
      const events = Array.from({ length: eventsPerAppend }, () => sampleEvent(n++, recordedAt));
      const started = performance.now();
      await append(streamId, i * eventsPerAppend, events);
      tally.latencies.push(performance.now() - started);
      tally.appends++;
    }
  }
}

/** `concurrency` workers append for `seconds`; the clock runs until the last in-flight append returns. */
async function drive(append: AppendOnce, concurrency: number, eventsPerAppend: number, seconds: number, tally: Tally): Promise<number> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const stopAt = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => worker(append, eventsPerAppend, stopAt, tally)));
  const used = process.cpuUsage(cpu);
  tally.cpuMicros += used.user + used.system;
  return (performance.now() - started) / 1000;
}

function summarise(tally: Tally, seconds: number, eventsPerAppend: number): AppendSideResult {
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    appends: tally.appends,
    events: tally.appends * eventsPerAppend,
    seconds,
    appendsPerSecond: tally.appends / seconds,
    eventsPerSecond: (tally.appends * eventsPerAppend) / seconds,
    latencyMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) },
    clientCpuMicrosPerAppend: Math.round(tally.cpuMicros / tally.appends),
  };
}

async function measureCell(url: string, concurrency: number, eventsPerAppend: number, options: AppendOptions): Promise<AppendCell> {
  const pool = createAppPool({ ownerUrl: url }, { max: concurrency });
  const store = new PostgresEventStore(pool);
  const append = appenders(pool, store, eventsPerAppend);
  const label = `appends c=${concurrency} ×${eventsPerAppend}`;
  // Warm-up of both sides (connections, plan caches), then short slices in A B B A order: the machine is
  // shared and noisy, and fine interleaving makes load bursts hit both sides alike.
  const slices = Math.max(1, Math.round(options.seconds / SLICE_SECONDS));
  const schedule: { side: Side; seconds: number; measured: boolean }[] = [
    { side: 'ours', seconds: options.warmupSeconds, measured: false },
    { side: 'plain', seconds: options.warmupSeconds, measured: false },
  ];
  for (let i = 0; i < slices; i++) {
    const order: Side[] = i % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
    for (const side of order) schedule.push({ side, seconds: options.seconds / slices, measured: true });
  }
  const total = schedule.reduce((sum, step) => sum + step.seconds, 0);
  const bar = progressBar(label, Math.round(total * 1000));
  const tallies: Record<Side, Tally> = { ours: newTally(), plain: newTally() };
  const elapsed: Record<Side, number> = { ours: 0, plain: 0 };
  const completed: Record<Side, number> = { ours: 0, plain: 0 }; // appends of finished slices, for progress
  const cellStarted = performance.now();
  try {
    for (const step of schedule.filter((candidate) => candidate.seconds > 0)) {
      const tally = step.measured ? tallies[step.side] : newTally();
      const ticker = setInterval(() => {
        const rate = (side: Side) => (elapsed[side] ? `${Math.round(completed[side] / elapsed[side])}` : '…');
        const status = step.measured ? `ours ${rate('ours')} vs plain ${rate('plain')} appends/s` : `warm-up ${step.side}`;
        bar.update(performance.now() - cellStarted, status);
      }, 250);
      try {
        const seconds = await drive(append[step.side], concurrency, eventsPerAppend, step.seconds, tally);
        if (step.measured) {
          elapsed[step.side] += seconds;
          completed[step.side] = tally.appends;
        }
      } finally {
        clearInterval(ticker);
      }
    }
    const ours = summarise(tallies.ours, elapsed.ours, eventsPerAppend);
    const plain = summarise(tallies.plain, elapsed.plain, eventsPerAppend);
    const ratio = ours.appendsPerSecond / plain.appendsPerSecond;
    bar.update(total * 1000, `ours ${Math.round(ours.appendsPerSecond)} vs plain ${Math.round(plain.appendsPerSecond)} appends/s: ${ratio.toFixed(2)}×`);
    return { concurrency, eventsPerAppend, ours, plain, ratio };
  } finally {
    bar.stop();
    await store.close();
    await pool.end();
  }
}

/** Part 1: PostgresEventStore.append vs a plain INSERT, every concurrency × batch size, on one database. */
export async function benchAppends(url: string, options: AppendOptions): Promise<AppendCell[]> {
  const owner = createOwnerPool(url, { max: 1 });
  try {
    for (const statement of EVENTS_PLAIN_DDL) await owner.query(statement);
  } finally {
    await owner.end();
  }
  const cells: AppendCell[] = [];
  for (const concurrency of options.concurrencies) {
    for (const eventsPerAppend of options.eventsPerAppend) cells.push(await measureCell(url, concurrency, eventsPerAppend, options));
  }
  return cells;
}
