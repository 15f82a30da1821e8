import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Client, Pool } from 'pg';
import { createAppPool, createReadModelDataSource } from '@vigil/database';
import { chainHash, eventDigest, GENESIS_HASH, PostgresEventStore, toRecordedEvent } from '@vigil/event-store';
import { auditIndexProjection, readModelEntities, rebuildProjection } from '@vigil/read-models';
import { note, progressBar } from '../lib/progress';
import { formatCount } from '../lib/report';
import { sampleEvent, sampleStreamId } from './sample-events';

export interface RebuildOptions {
  readonly events: number;
  readonly streams: number;
  /** Rows per bulk-load INSERT. */
  readonly loadBatch: number;
  /** Events per read batch, for the rebuild and the raw read alike. */
  readonly batch: number;
  /** Abandon the rebuild after this long without progress. */
  readonly stallSeconds: number;
}

export interface ThroughputResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface RebuildResult {
  readonly load: ThroughputResult & { readonly streams: number };
  /** `events` is what the rebuild applied; fewer than were loaded means it skipped some (see `complete`). */
  readonly rebuild: ThroughputResult;
  readonly loadedEvents: number;
  /** The read model holds every loaded event once. */
  readonly complete: boolean;
  /** The rebuild stopped making progress and was abandoned (see RebuildOptions.stallSeconds). */
  readonly stalled: boolean;
  /** Raw keyset reads just before and just after the rebuild (after an untimed warm-up read); `baseline` pools both. */
  readonly rawReads: readonly ThroughputResult[];
  readonly baseline: ThroughputResult;
  /** rebuild / baseline, events per second. */
  readonly ratio: number;
}

const LOAD_SQL = `INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[], $8::text[], $9::text[])`;

function throughput(events: number, seconds: number): ThroughputResult {
  return { events, seconds, eventsPerSecond: events / seconds };
}

function status(done: number, total: number, started: number): string {
  const rate = done / ((performance.now() - started) / 1000);
  return `${formatCount(done)}/${formatCount(total)} events, ${formatCount(rate)} events/s`;
}

/**
 * Writes `options.events` events with valid hash chains straight into `events` as the owner: chains are computed here
 * with the same eventDigest/chainHash as the store, events spread at random over `streams` streams, and sent
 * as one INSERT … SELECT FROM unnest(…) per batch, one transaction each (the default transaction_id is fine).
 * The next batch is computed while the previous one is being inserted.
 */
async function bulkLoad(ownerUrl: string, options: RebuildOptions): Promise<RebuildResult['load'] & { readonly someStream: string }> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  const streamIds = Array.from({ length: options.streams }, (_, s) => sampleStreamId(s, `bench-${String(s).padStart(6, '0')}`));
  const nextVersion = new Array<number>(options.streams).fill(0);
  const lastHash = new Array<string>(options.streams).fill(GENESIS_HASH);
  const firstTime = Date.now() - options.events * 10;
  const bar = progressBar(`bulk load ${formatCount(options.events)} events`, options.events);
  const started = performance.now();
  let pending: Promise<unknown> | undefined;
  try {
    for (let loaded = 0; loaded < options.events; ) {
      const size = Math.min(options.loadBatch, options.events - loaded);
      const columns: unknown[][] = Array.from({ length: 9 }, () => new Array<unknown>(size));
      for (let i = 0; i < size; i++) {
        if (i % 1000 === 999) await yieldToEventLoop(); // let the in-flight INSERT's bytes go out
        const n = loaded + i;
        const s = Math.floor(Math.random() * options.streams);
        const streamId = streamIds[s];
        const version = nextVersion[s]++;
        const event = sampleEvent(n, new Date(firstTime + n * 10).toISOString());
        const hash = chainHash(lastHash[s], version, eventDigest({ streamId, ...event }));
        const row = [streamId, version, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), event.metadata.recordedAt, lastHash[s], hash];
        for (let c = 0; c < row.length; c++) columns[c][i] = row[c];
        lastHash[s] = hash;
      }
      if (pending) await pending;
      const inFlight = client.query(LOAD_SQL, columns);
      inFlight.catch(() => undefined); // rethrown where it is awaited; not an unhandled rejection meanwhile
      pending = inFlight;
      loaded += size;
      bar.update(loaded, status(loaded, options.events, started));
    }
    await pending;
    const seconds = (performance.now() - started) / 1000;
    bar.update(options.events, status(options.events, options.events, started));
    bar.stop();
    await vacuum(ownerUrl, ['events']);
    const someStream = streamIds[nextVersion.findIndex((count) => count > 0)];
    return { ...throughput(options.events, seconds), streams: options.streams, someStream };
  } finally {
    bar.stop();
    await client.end();
  }
}

/** VACUUM (ANALYZE) as the owner, then a CHECKPOINT, so neither autovacuum nor a checkpoint lands in a measurement. */
async function vacuum(ownerUrl: string, tables: readonly string[]): Promise<void> {
  note(`vacuum analyze ${tables.join(', ')}…`);
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`VACUUM (ANALYZE) ${tables.map((table) => client.escapeIdentifier(table)).join(', ')}`);
    await client.query('CHECKPOINT').catch(() => undefined); // superuser only (the embedded server's login is)
  } finally {
    await client.end();
  }
}

/** The loaded chains must verify like the store's own: recompute one stream through the store's read path. */
async function assertChainsValid(store: PostgresEventStore, streamId: string): Promise<void> {
  let prev = GENESIS_HASH;
  const events = await store.readStream(streamId);
  for (const event of events) {
    const hash = chainHash(prev, event.streamVersion, eventDigest(event));
    if (event.prevHash !== prev || event.hash !== hash) throw new Error(`Bulk-loaded chain of ${streamId} breaks at version ${event.streamVersion}`);
    prev = hash;
  }
  if (events.length === 0) throw new Error(`Stream ${streamId} is empty`);
}

type EventRow = Parameters<typeof toRecordedEvent>[0];

const RAW_READ_SQL = `SELECT stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash,
    transaction_id::text AS transaction_id, global_position
  FROM events
  WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
  ORDER BY events.transaction_id, events.global_position
  LIMIT $3`;

/**
 * The baseline: the whole log in keyset batches over (transaction_id, global_position) — the same order and
 * batch size as the projection's reads, rows parsed into RecordedEvents as the store does — without the
 * store's snapshot fence, checkpoints, or any writes. ORDER BY names the table's columns: a bare
 * `transaction_id` would bind to the `::text` output alias and sort by text (no index, wrong order past 10^k).
 */
async function rawRead(pool: Pool, total: number, batch: number, label: string): Promise<ThroughputResult> {
  const bar = progressBar(label, total);
  const started = performance.now();
  let read = 0;
  let after = { commit: '0', prepare: '0' };
  try {
    for (;;) {
      const { rows } = await pool.query<EventRow>(RAW_READ_SQL, [after.commit, after.prepare, batch]);
      const events = rows.map(toRecordedEvent);
      read += events.length;
      bar.update(read, status(read, total, started));
      if (events.length < batch) break;
      const last = events[events.length - 1].position;
      after = { commit: last.commit.toString(), prepare: last.prepare.toString() };
    }
    return throughput(read, (performance.now() - started) / 1000);
  } finally {
    bar.stop();
  }
}

interface RebuildRun {
  readonly applied: number;
  readonly seconds: number;
  /** The rebuild stopped making progress short of the log's end and was abandoned. */
  readonly stalled: boolean;
}

/**
 * rebuildProjection with its own pools, abandoned when it makes no progress for `stallSeconds`: since it
 * retries until it has replayed as many events as it counted, a store that skips events would loop forever.
 */
async function timedRebuild(url: string, options: RebuildOptions): Promise<RebuildRun> {
  const pool = createAppPool({ ownerUrl: url }, { max: 2 });
  const store = new PostgresEventStore(pool);
  const dataSource = await createReadModelDataSource({ ownerUrl: url }, readModelEntities);
  const bar = progressBar(`rebuild ${auditIndexProjection.name}`, options.events);
  const started = performance.now();
  let applied = 0;
  let lastProgress = started;
  let watchdog: NodeJS.Timeout | undefined;
  const rebuilding = rebuildProjection(dataSource, store, auditIndexProjection, {
    batchSize: options.batch,
    onProgress: (n) => {
      applied = n;
      lastProgress = performance.now();
      bar.update(n, status(n, options.events, started));
    },
  });
  const stalled = new Promise<'stalled'>((resolve) => {
    watchdog = setInterval(() => {
      if (performance.now() - lastProgress > options.stallSeconds * 1000) resolve('stalled');
    }, 1000);
  });
  try {
    const outcome = await Promise.race([rebuilding, stalled]);
    const seconds = (performance.now() - started) / 1000;
    if (outcome === 'stalled') {
      rebuilding.catch(() => undefined); // it fails once its connections are gone below
      note(`\nrebuild stalled: no progress for ${options.stallSeconds} s after ${formatCount(applied)} events; abandoned`);
      return { applied, seconds: (lastProgress - started) / 1000, stalled: true };
    }
    return { applied: outcome, seconds, stalled: false };
  } finally {
    clearInterval(watchdog);
    bar.stop();
    await dataSource.destroy();
    await store.close();
    await pool.end();
  }
}

/** Part 2: bulk-load the log, then rebuildProjection(audit-index) vs a raw keyset read of the same log. */
export async function benchRebuild(url: string, options: RebuildOptions): Promise<RebuildResult> {
  const { someStream, ...load } = await bulkLoad(url, options);
  const pool = createAppPool({ ownerUrl: url }, { max: 1 });
  const store = new PostgresEventStore(pool);
  try {
    await assertChainsValid(store, someStream);
    // One untimed pass first, so neither side pays for the first trip of the log through the caches.
    await rawRead(pool, options.events, options.batch, 'raw read (warm-up)');
    const rawReads = [await rawRead(pool, options.events, options.batch, 'raw read (1/2)')];
    const run = await timedRebuild(url, options);
    const rebuild = throughput(run.applied, run.seconds);
    // Untimed: otherwise autovacuum of the freshly written read model competes with the second raw read.
    await vacuum(url, auditIndexProjection.tables);
    rawReads.push(await rawRead(pool, options.events, options.batch, 'raw read (2/2)'));
    if (rawReads.some((r) => r.events !== options.events)) {
      throw new Error(`The raw read saw ${rawReads.map((r) => r.events).join('/')} events of ${options.events} loaded`);
    }
    // A rebuild that skips events is a failure to report, not a crash: the numbers around it still matter.
    const { rows } = await pool.query<{ n: number }>(`SELECT count(DISTINCT event_id)::int AS n FROM audit_index`);
    const complete = !run.stalled && run.applied === options.events && rows[0].n === options.events;
    if (!complete) {
      note(`rebuild INCOMPLETE: applied ${formatCount(run.applied)}, audit_index holds ${formatCount(rows[0].n)} of ${formatCount(options.events)} events`);
    }
    const baseline = throughput(
      rawReads.reduce((sum, r) => sum + r.events, 0),
      rawReads.reduce((sum, r) => sum + r.seconds, 0),
    );
    return { load, rebuild, loadedEvents: options.events, complete, stalled: run.stalled, rawReads, baseline, ratio: rebuild.eventsPerSecond / baseline.eventsPerSecond };
  } finally {
    await store.close();
    await pool.end();
  }
}
