/**
 * Per-stage cost of the span path, in one process and one run (ratios hold on a noisy box where absolute numbers do
 * not): OTLP protobuf decode → bus encode → processor (bus decode, enrichment, PII, RED rows, tail sampling, spanRow)
 * → row serialisation → ClickHouse insert. Each stage runs alone over the same pre-encoded pool the ingest bench uses
 * (span-pool.ts); then the processor and the real writer run together into chDB (or CLICKHOUSE_URL), next to raw
 * inserts of the same rows in JSONEachRow and JSONCompactEachRow.
 *
 * Before/after in the same process: BASELINE_TELEMETRY=<another checkout>/libs/telemetry/src loads that copy of the
 * library too (e.g. `git worktree add --detach /tmp/vigil-base <commit>` with node_modules linked) and every stage
 * alternates between the two, pass by pass, so the box's noise hits both alike.
 *
 *   node -r ./tools/register.js bench/ingest/processor-profile.ts [--spans 20000] [--rounds 5] [--sampling 1] [--insert 1]
 *   node --cpu-prof --cpu-prof-dir /tmp/prof -r ./tools/register.js bench/ingest/processor-profile.ts --focus 1
 */
import { performance } from 'node:perf_hooks';
import type { ClickHouseClient } from '@clickhouse/client';
import { OTEL_SPANS_V1, otelSpansV1, type OtelSpansValueV1, type SpanV1 } from '@vigil/contracts';
import * as current from '@vigil/telemetry';
import type { BusMessage, DeliveredBatch, TelemetryProcessorOptions } from '@vigil/telemetry';
import { startClickHouse } from '@vigil/testing';
import { flagsUsage, parseFlags, UsageError, type FlagSpec } from '../lib/args';
import { formatCount, formatRatio, markdownTable } from '../lib/report';
import { buildSpanPool } from './span-pool';

const FLAGS = {
  spans: { default: 20_000, description: 'spans in the pool (shop traffic, as the ingest bench)', integer: true },
  batch: { default: 1_000, description: 'spans per OTLP request body', integer: true },
  rounds: { default: 5, description: 'passes over the pool per stage (the median pass is reported)', integer: true },
  sampling: { default: 1, description: '1: tail sampling at the default rate (1%); 0: keep everything (the pipeline default)', integer: true, min: 0 },
  insert: { default: 1, description: '1: also insert into ClickHouse (chDB in-process unless CLICKHOUSE_URL); 0: CPU stages only', integer: true, min: 0 },
  focus: { default: 0, description: 'for --cpu-prof: 1 only processor + writer + serialisation (no ClickHouse), 2 only the processor (writer stubbed)', integer: true, min: 0 },
  'bus-batch': { default: 1_000, description: 'bus messages per processor batch (the in-process bus default)', integer: true },
} satisfies Record<string, FlagSpec>;

type Flags = Record<keyof typeof FLAGS, number>;
type Library = typeof current;

export const usage = `node -r ./tools/register.js bench/ingest/processor-profile.ts [flags]\n${flagsUsage(FLAGS)}`;

interface Pass {
  readonly wallMs: number;
  readonly cpuMs: number;
}

interface StageResult {
  readonly stage: string;
  /** Median pass by CPU: [this tree, baseline] (baseline absent without BASELINE_TELEMETRY). */
  readonly passes: readonly (Pass | undefined)[];
}

/** A stage's pass over the pool: `prepare` (untimed) returns the timed work. */
type Stage = (lib: Library) => () => () => unknown;

async function timed(work: () => unknown): Promise<Pass> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

const median = (passes: Pass[]) => [...passes].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(passes.length / 2)];

/** The bus messages the receiver publishes for the pool: one per trace and request, JSON as the contract encodes. */
function busBatches(lib: Library, bodies: readonly Buffer[], perBatch: number): DeliveredBatch[] {
  const messages: BusMessage[] = [];
  for (const body of bodies) {
    for (const { key, value } of lib.TRACES.decode(body, 'protobuf').messages) {
      messages.push({ topic: OTEL_SPANS_V1, partition: 0, key, value: otelSpansV1.encode(value as OtelSpansValueV1), id: `${OTEL_SPANS_V1}/0/${messages.length}` });
    }
  }
  const batches: DeliveredBatch[] = [];
  for (let i = 0; i < messages.length; i += perBatch) batches.push({ topic: OTEL_SPANS_V1, partition: 0, messages: messages.slice(i, i + perBatch) });
  return batches;
}

let passNumber = 0;
/** Fresh ids per pass, so the writer's replay dedup never skips a pass as already written. */
function renumbered(batches: readonly DeliveredBatch[]): DeliveredBatch[] {
  const pass = passNumber++;
  return batches.map((batch) => ({ ...batch, messages: batch.messages.map((message) => ({ ...message, id: `${message.id}/${pass}` })) }));
}

/** A writer that takes rows and stores nothing: the processor's own cost. */
function nullWriter(): InstanceType<Library['ClickHouseTelemetryWriter']> {
  const writer = { writeTables: () => Promise.resolve(), untilDone: (operation: () => Promise<void>) => operation(), insertSettings: {} };
  return writer as unknown as InstanceType<Library['ClickHouseTelemetryWriter']>;
}

/**
 * A processor of `lib`. Before Nov 22 2026 the processor also took the ClickHouse client and database (it copied
 * undecided spans with INSERT … SELECT): passed as a plain object so a BASELINE_TELEMETRY checkout of then still runs.
 */
function processorOf(
  lib: Library, deps: { client: ClickHouseClient; database?: string; writer: InstanceType<Library['ClickHouseTelemetryWriter']> }, options: TelemetryProcessorOptions,
): InstanceType<Library['TelemetryProcessor']> {
  return new lib.TelemetryProcessor(deps, options);
}

/** A client that serialises inserts as @clickhouse/client does (JSON per row, one string) and stores nothing. */
function serialisingClient(): ClickHouseClient {
  const client = {
    insert: async ({ values }: { values: unknown[] }) => {
      let body = '';
      for (const value of values) body += `${JSON.stringify(value)}\n`;
      return { executed: true, query_id: '', summary: { written_rows: String(body.length > 0 ? values.length : 0) } };
    },
    query: async () => ({ json: async () => [] }),
    command: async () => ({ query_id: '' }),
  };
  return client as unknown as ClickHouseClient;
}

/** Rows as arrays in the order of their keys (JSONCompactEachRow) with the column list. */
function compact(rows: readonly Record<string, unknown>[]): { columns: [string, ...string[]]; values: unknown[][] } {
  const names = Object.keys(rows[0] ?? {});
  return { columns: names.map((name) => `\`${name}\``) as [string, ...string[]], values: rows.map((row) => names.map((name) => row[name])) };
}

export async function run(args: readonly string[]): Promise<void> {
  const flags = parseFlags(args, FLAGS);
  const baselinePath = process.env.BASELINE_TELEMETRY;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const libraries: Library[] = baselinePath ? [current, require(`${baselinePath}/index.ts`) as Library] : [current];
  const pool = buildSpanPool({ spans: flags.spans, spansPerBody: flags.batch, seed: 42 });
  const spans = pool.bodies.length * pool.spansPerBody;
  const batches = busBatches(current, pool.bodies, flags['bus-batch']);
  const decodedSpans = (): SpanV1[] => batches.flatMap((batch) => batch.messages.flatMap((message) => otelSpansV1.decode(message.value).spans));
  const rows = decodedSpans().map(current.spanRow);
  const options: TelemetryProcessorOptions = flags.sampling ? { sampling: {} } : {};
  process.stderr.write(`pool: ${pool.bodies.length} bodies × ${pool.spansPerBody} spans, ${batches.reduce((n, b) => n + b.messages.length, 0)} bus messages in ${batches.length} batches${baselinePath ? `; baseline: ${baselinePath}` : ''}\n`);

  const results: StageResult[] = [];
  const stage = async (name: string, prepare: Stage) => {
    const runs: Pass[][] = libraries.map(() => []);
    for (const lib of libraries) await prepare(lib)()(); // warm-up: JIT and caches
    for (let round = 0; round < flags.rounds; round++) {
      for (const [index, lib] of libraries.entries()) runs[index].push(await timed(prepare(lib)()));
    }
    const result: StageResult = { stage: name, passes: runs.map(median) };
    results.push(result);
    process.stderr.write(`${name}: ${result.passes.map((pass) => `${((pass?.cpuMs ?? 0) * 1000 / spans).toFixed(2)} µs/span`).join(' vs ')}\n`);
  };

  const processorStubbed: Stage = (lib) => () => {
    // A fresh processor per pass: every trace is new to its sampler, as in a live stream.
    const processor = processorOf(lib, { client: serialisingClient(), writer: nullWriter() }, options);
    processor.stop(); // only the expiry timer: process() still works
    const input = renumbered(batches);
    return async () => {
      for (const batch of input) await processor.process(batch);
    };
  };
  if (flags.focus === 2) {
    await stage('processor (bus decode … spanRow), writer stubbed', processorStubbed);
    return report(results, flags, spans, libraries.length > 1);
  }
  await stage('OTLP protobuf decode + convert (receiver)', (lib) => () => () => pool.bodies.forEach((body) => lib.TRACES.decode(body, 'protobuf')));
  if (!flags.focus) {
    await stage('bus encode, JSON (receiver; @vigil/contracts)', () => () => {
      const values = batches.map((batch) => batch.messages.map((message) => otelSpansV1.decode(message.value)));
      return () => values.forEach((list) => list.forEach((value) => otelSpansV1.encode(value)));
    });
    await stage('  bus decode, JSON (@vigil/contracts)', () => () => () => batches.forEach((batch) => batch.messages.forEach((message) => otelSpansV1.decode(message.value))));
    await stage('  enrichment', (lib) => () => {
      const sample = decodedSpans();
      return () => sample.forEach((span) => lib.enrichResource(span.resourceAttributes, span.serviceName));
    });
    await stage('  PII scrubbing', (lib) => {
      const scrubber = new lib.PiiScrubber();
      return () => {
        const sample = decodedSpans();
        return () => sample.forEach((span) => {
          span.name = scrubber.scrub(span.name);
          span.statusMessage = scrubber.scrub(span.statusMessage);
          scrubber.scrubAttributes(span.resourceAttributes);
          scrubber.scrubAttributes(span.attributes, span.numericAttributes);
          for (const event of span.events) scrubber.scrubAttributes(event.attributes);
          for (const link of span.links) scrubber.scrubAttributes(link.attributes);
        });
      };
    });
    const sample = decodedSpans();
    await stage('  RED input rows', (lib) => () => () => sample.forEach(lib.redInputRow));
    await stage('  spanRow', (lib) => () => () => sample.forEach(lib.spanRow));
    await stage('processor (bus decode … spanRow), writer stubbed', processorStubbed);
    await stage('row serialisation JSONEachRow (client)', () => () => () => rows.map((row) => JSON.stringify(row)).join('\n'));
    await stage('row serialisation JSONCompactEachRow (incl. object → array)', () => () => () => compact(rows).values.map((row) => JSON.stringify(row)).join('\n'));
  }
  await stage('processor + writer + serialisation, no ClickHouse', (lib) => {
    const writer = new lib.ClickHouseTelemetryWriter({ client: serialisingClient(), flushIntervalMs: 5 });
    return () => {
      const processor = processorOf(lib, { client: serialisingClient(), writer }, options);
      processor.stop();
      const input = renumbered(batches);
      return () => Promise.all(input.map((batch) => processor.process(batch)));
    };
  });
  if (flags.insert && !flags.focus) await insertStages(libraries, batches, rows, options, stage);
  report(results, flags, spans, libraries.length > 1);
}

async function insertStages(
  libraries: Library[], batches: DeliveredBatch[], rows: Record<string, unknown>[], options: TelemetryProcessorOptions,
  stage: (name: string, prepare: Stage) => Promise<void>,
): Promise<void> {
  const clickhouse = await startClickHouse();
  const database = `bench_processor_profile_${Date.now().toString(36)}`;
  try {
    await clickhouse.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    await new current.ClickHouseMigrator(clickhouse.client, { database }).migrate();
    const settings = { date_time_input_format: 'basic' as const };
    const insert = (format: 'JSONEachRow' | 'JSONCompactEachRow') => async () => {
      for (let i = 0; i < rows.length; i += 5_000) {
        const slice = rows.slice(i, i + 5_000);
        if (format === 'JSONEachRow') await clickhouse.client.insert({ table: `${database}.otel_traces`, format, values: slice, clickhouse_settings: settings });
        else await clickhouse.client.insert({ table: `${database}.otel_traces`, format, ...compact(slice), clickhouse_settings: settings });
      }
    };
    await stage('raw insert JSONEachRow, 5 000 rows each', () => () => insert('JSONEachRow'));
    await stage('raw insert JSONCompactEachRow, 5 000 rows each', () => () => insert('JSONCompactEachRow'));
    const redRows = batches.flatMap((batch) => batch.messages.flatMap((message) => otelSpansV1.decode(message.value).spans.map(current.redInputRow)));
    await stage('  RED input rows insert (Null table → 3 MV tiers)', () => () => async () => {
      for (let i = 0; i < redRows.length; i += 5_000) {
        await clickhouse.client.insert({ table: `${database}.otel_red_input`, format: 'JSONEachRow', values: redRows.slice(i, i + 5_000) });
      }
    });
    await stage('writer alone (dedup lookup, insert, record), no processor', (lib) => () => {
      const writer = new lib.ClickHouseTelemetryWriter({ client: clickhouse.client, database, messageIdScope: `${database}:` });
      const input = renumbered(batches);
      return async () => {
        await Promise.all(input.map((batch) => writer.write(batch)));
        await writer.stop();
      };
    });
    const writers = new Map(libraries.map((lib) => [lib, new lib.ClickHouseTelemetryWriter({ client: clickhouse.client, database, messageIdScope: `${database}:` })]));
    await stage('processor + writer + ClickHouse (end of the pipeline)', (lib) => () => {
      const queue = renumbered(batches);
      const processor = processorOf(lib, { client: clickhouse.client, database, writer: writers.get(lib)! }, options);
      processor.stop();
      // As the in-process bus hands them: 4 batches in flight.
      return () => Promise.all(Array.from({ length: 4 }, async () => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) await processor.process(batch);
      }));
    });
    for (const writer of writers.values()) await writer.stop();
  } finally {
    await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse.stop();
  }
}

function report(results: readonly StageResult[], flags: Flags, spans: number, withBaseline: boolean): void {
  const micros = (pass: Pass | undefined) => (pass ? (pass.cpuMs * 1000 / spans).toFixed(2) : '—');
  const perCore = (pass: Pass | undefined) => (pass ? formatCount(spans / (pass.cpuMs / 1000)) : '—');
  const table = withBaseline
    ? markdownTable(
      ['stage', 'µs/span now', 'µs/span baseline', 'now / baseline', 'spans/s per core now', 'baseline'],
      results.map(({ stage, passes: [now, before] }) => [stage, micros(now), micros(before), now && before ? formatRatio(now.cpuMs / before.cpuMs) : '—', perCore(now), perCore(before)]),
    )
    : markdownTable(
      ['stage', 'µs/span (CPU)', 'spans/s per core', 'µs/span (wall)'],
      results.map(({ stage, passes: [now] }) => [stage, micros(now), perCore(now), now ? (now.wallMs * 1000 / spans).toFixed(2) : '—']),
    );
  process.stdout.write(`\n## Span path per stage (${formatCount(spans)} spans, median of ${flags.rounds} passes, sampling ${flags.sampling ? 'on' : 'off'})\n\n${table}\n`
    + '\nCPU of this process (all threads: chDB included when embedded). Indented stages are parts of the processor row.\n');
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${usage}\n`);
      else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
