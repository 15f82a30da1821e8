import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClickHouseClient } from '@clickhouse/client';
import type { OtelSpansValueV1 } from '@vigil/contracts';
import { loadConfig } from '@vigil/config';
import { ClickHouseMigrator, InsertFiles, jsonLines, KafkaTelemetryBus, settingsClause, spanRow, sqlString, TelemetryPipeline, TRACES, type TailSamplingOptions, type TelemetryBus } from '@vigil/telemetry';
import { startClickHouse, startKafka, type KafkaHandle } from '@vigil/testing';
import { flagsUsage, type FlagSpec, parseFlags } from '../lib/args';
import { note, progressBar } from '../lib/progress';
import { formatCount, formatRatio, markdownTable, percentile, writeResults } from '../lib/report';
import type { FromLoadGenerator, LoadCounters, ToLoadGenerator } from './load-protocol';
import { rssChart, rssSlopeMbPerMinute, type RssSample } from './rss-chart';
import { DETECTION_FLAGS, DETECTION_GOAL_SECONDS, measureDetectionLatency, type DetectionLatencyResult } from './detection-latency';
import { buildSpanPool, writeSpanPool, type SpanPool } from './span-pool';

const FLAGS = {
  seconds: { default: 20, description: 'sending time of each throughput case (and of the raw baseline)', integer: true },
  connections: { default: 32, description: 'keep-alive HTTP connections of the load generator', integer: true },
  batch: { default: 1000, description: 'spans per OTLP request', integer: true },
  pool: { default: 100_000, description: 'distinct pre-encoded spans, cycled by the load generator', integer: true },
  'raw-batch': { default: 50_000, description: 'rows per INSERT of the raw baseline', integer: true },
  kafka: { default: 1, description: '1: also measure through a real Kafka broker (KAFKA_BROKERS or a private KRaft one); 0: skip', integer: true, min: 0 },
  'soak-minutes': { default: 1, description: 'RSS sampled at a steady rate through the embedded pipeline (30 for the full soak)', min: 0 },
  'soak-rate': { default: 0, description: 'spans/s during the soak; 0 = half the measured embedded throughput', integer: true, min: 0 },
  'writer-rows': { default: 0, description: "the writer's maxRows per insert; 0 = the pipeline's default", integer: true, min: 0 },
  sampling: { default: 1, description: "1: tail sampling as the app runs it (VIGIL_SAMPLING_* defaults); 0: keep every span", integer: true, min: 0 },
  detection: { default: 1, description: '1: also measure fault onset → AnomalyDetected through the whole app (bench/ingest/detection-latency.ts); 0: skip', integer: true, min: 0 },
  ...DETECTION_FLAGS,
} satisfies Record<string, FlagSpec>;

export const usage = `npm run bench -- ingest [flags]\n${flagsUsage(FLAGS)}`;

const GOAL_RATIO = 0.5;
const GOAL_PER_CORE = 50_000;
const COMMIT_TIMEOUT_MS = 180_000;

interface CaseResult {
  readonly name: string;
  readonly ackedSpans: number;
  /** Acknowledged spans counted in the RED tier (every span, before sampling); raw insert: rows stored. */
  readonly committedSpans: number;
  /** Rows in otel_traces: the spans tail sampling kept (all of them with --sampling 0). */
  readonly storedSpans: number;
  /** First send → last acknowledged span counted in ClickHouse. */
  readonly seconds: number;
  readonly spansPerSecond: number;
  /** CPU of this process (receiver, bus, writer, and chDB when embedded) over the case, in cores. */
  readonly pipelineCores: number;
  readonly spansPerSecondPerCore: number;
  readonly generator: LoadCounters;
}

type Flags = Record<keyof typeof FLAGS, number>;

/**
 * `npm run bench -- ingest`: OTLP/HTTP → bus → ClickHouse throughput, counted end to end (acknowledged by the receiver
 * AND committed in ClickHouse), against a raw @clickhouse/client insert of the same rows (JSONCompactEachRow, from a
 * local file with in-process chDB) into the same otel_traces table, measured in the same run on the same engine.
 * Then a steady-rate soak sampling RSS.
 */
export async function run(args: readonly string[]): Promise<void> {
  const flags: Flags = parseFlags(args, FLAGS);
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  note(`node ${process.version}, ${cpus().length} CPUs, load average ${loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  const stamp = `${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const poolFile = join(tmpdir(), `vigil-ingest-pool-${stamp}.bin`);
  const clickhouse = await startClickHouse();
  note(clickhouse.external ? 'clickhouse: CLICKHOUSE_URL' : `clickhouse: embedded chDB in this process (${clickhouse.dataDir})`);
  const databases: string[] = [];
  const freshDatabase = async (name: string) => {
    const database = `bench_ingest_${name}_${stamp}`;
    databases.push(database);
    await clickhouse.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    return database;
  };
  let generator: LoadGenerator | null = null;
  let kafka: KafkaHandle | null = null;
  try {
    const pool = buildPool(flags);
    writeSpanPool(poolFile, pool);
    generator = await LoadGenerator.start(poolFile);

    const raw = await measureRawInsert(clickhouse.client, await freshDatabase('raw'), pool, flags, clickhouse.external);
    const cases: CaseResult[] = [];
    const embedded = await withPipeline(clickhouse.client, await freshDatabase('embedded'), undefined, flags, async (pipeline, database) => {
      const result = await measurePipeline('embedded (in-process bus)', pipeline, database, clickhouse.client, generator!, flags);
      cases.push(result);
      const soakRate = flags['soak-rate'] || Math.round(result.spansPerSecond / 2);
      return flags['soak-minutes'] > 0 ? soak(pipeline, database, clickhouse.client, generator!, soakRate, flags) : null;
    });
    let kafkaSkipped: string | null = null;
    if (flags.kafka) {
      try {
        const started = Date.now();
        kafka = await startKafka();
        note(kafka.external ? `kafka: KAFKA_BROKERS ${kafka.brokers.join(',')}` : `kafka: private KRaft broker ${kafka.brokers.join(',')} started in ${Date.now() - started} ms`);
      } catch (error) {
        kafkaSkipped = `could not start Kafka: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        note(kafkaSkipped);
      }
      if (kafka) {
        const bus = new KafkaTelemetryBus({ brokers: kafka.brokers, clientId: `vigil-bench-ingest-${stamp}` });
        await withPipeline(clickhouse.client, await freshDatabase('kafka'), bus, flags, async (pipeline, database) => {
          cases.push(await measurePipeline('Kafka bus (kafkajs, real broker)', pipeline, database, clickhouse.client, generator!, flags));
        }, `vigil-bench-ingest-${stamp}`);
      }
    } else {
      kafkaSkipped = '--kafka 0';
    }

    const detection = flags.detection
      ? await measureDetectionLatency({ runs: flags['detection-runs'], historyMinutes: flags['detection-history'], tracesPerSecond: flags['detection-rate'] })
      : null;

    report({ flags, startedAt, loadAverageAtStart, raw, cases, soak: embedded, kafkaSkipped, external: clickhouse.external, pool, detection });
  } finally {
    generator?.stop();
    rmSync(poolFile, { force: true });
    note('dropping the bench databases…');
    for (const database of databases) await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await kafka?.stop().catch(() => undefined);
    await clickhouse.stop();
  }
}

function buildPool(flags: Flags): SpanPool {
  const bar = progressBar('encoding the span pool', flags.pool);
  const pool = buildSpanPool({ spans: flags.pool, spansPerBody: flags.batch, seed: 42, onProgress: (spans) => bar.update(spans, `${formatCount(spans)} spans`) });
  bar.stop();
  const bytes = pool.bodies.reduce((sum, body) => sum + body.length, 0);
  note(`pool: ${formatCount(pool.bodies.length)} ExportTraceServiceRequest bodies × ${formatCount(pool.spansPerBody)} spans, ${(bytes / pool.bodies.length / 1024).toFixed(0)} KiB each`);
  return pool;
}

async function withPipeline<T>(
  clickhouse: ClickHouseClient,
  database: string,
  bus: TelemetryBus | undefined,
  flags: Flags,
  body: (pipeline: TelemetryPipeline, database: string) => Promise<T>,
  groupId?: string,
): Promise<T> {
  const pipeline = new TelemetryPipeline({
    clickhouse, bus, receiver: { port: 0, host: '127.0.0.1' }, schema: { database },
    ...(flags.sampling ? { processor: { sampling: appSampling() } } : {}),
    ...(flags['writer-rows'] ? { writer: { maxRows: flags['writer-rows'] } } : {}),
    ...(groupId ? { groupId } : {}),
  });
  await pipeline.start();
  try {
    return await body(pipeline, database);
  } finally {
    await pipeline.stop();
  }
}

/** Tail sampling as `npm start` runs it: the VIGIL_SAMPLING_* defaults (rate 1%, 5 s decision wait, slow ≥ 1 s). */
function appSampling(): TailSamplingOptions {
  const config = loadConfig({});
  return { rate: config.VIGIL_SAMPLING_RATE, decisionWaitMs: config.VIGIL_SAMPLING_DECISION_WAIT_MS, slowThresholdMs: config.VIGIL_SAMPLING_SLOW_MS };
}

/** Spans counted in the 1-minute RED tier: every span the processor handled, kept or not. */
async function countRedRequests(clickhouse: ClickHouseClient, database: string): Promise<number> {
  const result = await clickhouse.query({ query: `SELECT toString(countMerge(Requests)) AS n FROM ${database}.otel_red_1m`, format: 'JSONEachRow' });
  return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
}

async function countSpans(clickhouse: ClickHouseClient, database: string): Promise<number> {
  const result = await clickhouse.query({ query: `SELECT count() AS n FROM ${database}.otel_traces`, format: 'JSONEachRow' });
  return Number((await result.json<{ n: string }>())[0].n);
}

/**
 * The same spans as the writer would insert them (spanRow of the decoded bodies), inserted straight by the client in
 * the cheapest way the engine offers for them: JSONCompactEachRow (one JSON array per row, the column list once), and
 * with in-process chDB the body written to a local file that `INSERT … FROM INFILE` reads (cheaper for chDB than the
 * body inline in the statement; see README.md). The writer inserts the same way.
 */
async function measureRawInsert(clickhouse: ClickHouseClient, database: string, pool: SpanPool, flags: Flags, external: boolean): Promise<CaseResult> {
  await new ClickHouseMigrator(clickhouse, { database }).migrate();
  const rows = pool.bodies.flatMap((body) => TRACES.decode(body, 'protobuf').messages.flatMap((message) => (message.value as OtelSpansValueV1).spans.map(spanRow)));
  const names = Object.keys(rows[0]);
  const columns = names.map((name) => `\`${name}\``) as [string, ...string[]];
  const values = rows.map((row) => names.map((name) => row[name]));
  const batch = flags['raw-batch'];
  // The writer's own file hand-over (InsertFiles, jsonLines, settingsClause): the baseline inserts as the writer does.
  const files = new InsertFiles();
  const bar = progressBar('raw insert baseline', flags.seconds);
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  let inserted = 0;
  let offset = 0;
  try {
    while (performance.now() - started < flags.seconds * 1000) {
      const slice = values.slice(offset, offset + batch);
      offset = offset + batch >= values.length ? 0 : offset + batch;
      // The pool is cycled: a repeated block would be dropped by its data hash (the pipeline's tokens are per
      // message, so it stores every copy) and the baseline would count fewer rows. chDB ignores insert_deduplicate=0
      // (every repeat was dropped: 500 000 rows inserted, 150 000 stored), so each insert carries its own token.
      const token = `raw:${inserted}`;
      if (external) {
        await clickhouse.insert({ table: `${database}.otel_traces`, columns, values: slice, format: 'JSONCompactEachRow', clickhouse_settings: { date_time_input_format: 'basic', insert_deduplication_token: token } });
      } else {
        const settings = settingsClause({ date_time_input_format: 'basic', insert_deduplication_token: token });
        await files.insert(jsonLines(slice), (path) => clickhouse.command({
          query: `INSERT INTO ${database}.otel_traces (${columns.join(', ')}) FROM INFILE ${sqlString(path)} COMPRESSION 'none'${settings} FORMAT JSONCompactEachRow`,
        }));
      }
      inserted += slice.length;
      const elapsed = (performance.now() - started) / 1000;
      bar.update(Math.floor(elapsed), `${formatCount(inserted)} rows, ${formatCount(inserted / elapsed)} rows/s`);
    }
  } finally {
    files.close();
  }
  const seconds = (performance.now() - started) / 1000;
  bar.stop();
  const committed = await countSpans(clickhouse, database);
  const cores = cpuSeconds(process.cpuUsage(cpuAtStart)) / seconds;
  const zero: LoadCounters = { ackedSpans: 0, requests: 0, retries: 0, abandoned: 0, elapsedMs: 0, cpuMs: 0 };
  return {
    name: `raw insert (JSONCompactEachRow${external ? '' : ', FROM INFILE'})`, ackedSpans: inserted, committedSpans: committed, storedSpans: committed, seconds,
    spansPerSecond: committed / seconds, pipelineCores: cores, spansPerSecondPerCore: committed / seconds / cores, generator: zero,
  };
}

async function measurePipeline(name: string, pipeline: TelemetryPipeline, database: string, clickhouse: ClickHouseClient, generator: LoadGenerator, flags: Flags): Promise<CaseResult> {
  const bar = progressBar(name.split(' (')[0], flags.seconds);
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  let committed = 0;
  const counting = setInterval(() => void countRedRequests(clickhouse, database).then((n) => (committed = n), () => undefined), 1_000);
  const counters = await generator.run({ url: pipeline.receiver!.url, connections: flags.connections, durationMs: flags.seconds * 1000, spansPerSecond: 0 }, (progress) => {
    bar.update(Math.floor(progress.elapsedMs / 1000), `acked ${formatCount(progress.ackedSpans)} (${formatCount(progress.ackedSpans / Math.max(progress.elapsedMs / 1000, 0.001))}/s), committed ${formatCount(committed)}, ${formatCount(progress.retries)} retries`);
  });
  clearInterval(counting);
  bar.stop();
  const done = await waitForCommitted(pipeline, clickhouse, database, 0, counters.ackedSpans);
  const seconds = (performance.now() - started) / 1000;
  const cores = cpuSeconds(process.cpuUsage(cpuAtStart)) / seconds;
  const decided = await waitForDecisions(pipeline, clickhouse, database);
  note(`${name}: ${formatCount(counters.ackedSpans)} spans acknowledged in ${(counters.elapsedMs / 1000).toFixed(1)} s (${formatCount(counters.retries)} retries, ${formatCount(counters.abandoned)} bodies given up), ${formatCount(done.committed)} counted in RED and the ${formatCount(done.stored)} kept stored after ${seconds.toFixed(1)} s; ${formatCount(done.held)} spans then still awaited their trace's decision, all decided ${((performance.now() - started) / 1000).toFixed(1)} s from the start (${formatCount(decided.stored)} stored in the end, ${formatCount(decided.promoted)} traces kept after their first spans)`);
  return { name, ackedSpans: counters.ackedSpans, committedSpans: done.committed, storedSpans: decided.stored, seconds, spansPerSecond: counters.ackedSpans / seconds, pipelineCores: cores, spansPerSecondPerCore: counters.ackedSpans / seconds / cores, generator: counters };
}

/**
 * Waits until `acked` more spans than `redBefore` are counted in the RED tier (every span is, before sampling) and
 * every span tail sampling kept so far is in otel_traces. Spans still awaiting their trace's decision are not waited
 * for: the decision wait is latency, not work; waitForDecisions covers them.
 */
async function waitForCommitted(pipeline: TelemetryPipeline, clickhouse: ClickHouseClient, database: string, redBefore: number, acked: number): Promise<{ committed: number; stored: number; held: number }> {
  const deadline = Date.now() + COMMIT_TIMEOUT_MS;
  for (;;) {
    const kept = pipeline.processor?.stats.keptSpans ?? 0;
    const [red, stored] = await Promise.all([countRedRequests(clickhouse, database), countSpans(clickhouse, database)]);
    const committed = red - redBefore;
    if (committed >= acked && stored >= kept) return { committed, stored, held: pipeline.processor?.heldSpans ?? 0 };
    if (Date.now() > deadline) {
      note(`WARNING: after ${COMMIT_TIMEOUT_MS / 1000} s only ${formatCount(committed)} of ${formatCount(acked)} acknowledged spans counted in RED, ${formatCount(stored)} of ${formatCount(kept)} kept spans stored`);
      return { committed, stored, held: pipeline.processor?.heldSpans ?? 0 };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until no span awaits a decision and every kept span is stored. */
async function waitForDecisions(pipeline: TelemetryPipeline, clickhouse: ClickHouseClient, database: string): Promise<{ stored: number; promoted: number }> {
  const deadline = Date.now() + COMMIT_TIMEOUT_MS;
  for (;;) {
    const stats = pipeline.processor?.stats;
    const stored = await countSpans(clickhouse, database);
    if (((pipeline.processor?.heldSpans ?? 0) === 0 && stored >= (stats?.keptSpans ?? 0)) || Date.now() > deadline) return { stored, promoted: stats?.promotedTraces ?? 0 };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface SoakResult {
  readonly spansPerSecond: number;
  readonly minutes: number;
  readonly ackedSpans: number;
  readonly committedSpans: number;
  readonly samples: RssSample[];
  readonly slopeSecondHalfMbPerMinute: number;
}

async function soak(pipeline: TelemetryPipeline, database: string, clickhouse: ClickHouseClient, generator: LoadGenerator, spansPerSecond: number, flags: Flags): Promise<SoakResult> {
  const durationMs = flags['soak-minutes'] * 60_000;
  const before = await countRedRequests(clickhouse, database);
  const samples: RssSample[] = [];
  const started = performance.now();
  const sample = () => {
    const memory = process.memoryUsage();
    samples.push({ atSeconds: (performance.now() - started) / 1000, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed });
  };
  sample();
  const sampler = setInterval(sample, 1_000);
  const bar = progressBar(`soak at ${formatCount(spansPerSecond)} spans/s`, Math.ceil(durationMs / 1000));
  const counters = await generator.run({ url: pipeline.receiver!.url, connections: flags.connections, durationMs, spansPerSecond }, (progress) => {
    const rss = samples[samples.length - 1].rssBytes / 1024 ** 2;
    bar.update(Math.floor(progress.elapsedMs / 1000), `acked ${formatCount(progress.ackedSpans)}, RSS ${rss.toFixed(0)} MB`);
  });
  clearInterval(sampler);
  bar.stop();
  const { committed } = await waitForCommitted(pipeline, clickhouse, database, before, counters.ackedSpans);
  const secondHalf = samples.filter((s) => s.atSeconds >= durationMs / 2000);
  return { spansPerSecond, minutes: flags['soak-minutes'], ackedSpans: counters.ackedSpans, committedSpans: committed, samples, slopeSecondHalfMbPerMinute: rssSlopeMbPerMinute(secondHalf) };
}

function report(input: {
  flags: Flags; startedAt: string; loadAverageAtStart: number[]; raw: CaseResult; cases: CaseResult[]; soak: SoakResult | null;
  kafkaSkipped: string | null; external: boolean; pool: SpanPool; detection: DetectionLatencyResult | null;
}): void {
  const { raw, cases, soak, flags } = input;
  const rows = [
    [raw.name, formatCount(raw.spansPerSecond), '—', '—', formatCount(raw.spansPerSecondPerCore), `${raw.pipelineCores.toFixed(2)}`, `${formatCount(raw.storedSpans)} (100%)`, '', '', ''],
    ...cases.map((result) => {
      const ratio = result.spansPerSecond / raw.spansPerSecond;
      const met = ratio >= GOAL_RATIO && result.spansPerSecondPerCore >= GOAL_PER_CORE && result.committedSpans >= result.ackedSpans;
      return [
        result.name, formatCount(result.spansPerSecond), formatCount(raw.spansPerSecond), formatRatio(ratio), formatCount(result.spansPerSecondPerCore),
        `${result.pipelineCores.toFixed(2)}`, `${formatCount(result.storedSpans)} (${(100 * result.storedSpans / Math.max(result.ackedSpans, 1)).toFixed(1)}%)`,
        `${formatCount(result.generator.retries)} / ${formatCount(result.generator.abandoned)}`, `≥ ${GOAL_RATIO}× raw, ≥ ${formatCount(GOAL_PER_CORE)}/s per core`, met ? 'yes' : 'NO',
      ];
    }),
    ...(input.kafkaSkipped ? [['Kafka bus', 'skipped', '', '', '', '', '', '', input.kafkaSkipped, '']] : []),
  ];
  const table = markdownTable(['case (spans/s, acknowledged and committed)', 'ours', 'baseline: raw insert', 'ratio', 'per core', 'cores used', 'rows in otel_traces (share)', 'retries / given up', 'goal', 'met?'], rows);
  const sampling = appSampling();
  const soakLines = soak
    ? [
        markdownTable(['soak', 'rate (spans/s)', 'minutes', 'acknowledged', 'committed', 'RSS start', 'RSS max', 'RSS end', 'RSS slope, 2nd half', 'RSS spread, 2nd half: minute medians (samples)', 'goal', 'met?'], [[
          'embedded pipeline', formatCount(soak.spansPerSecond), String(soak.minutes), formatCount(soak.ackedSpans), formatCount(soak.committedSpans),
          megabytes(soak.samples[0]?.rssBytes), megabytes(Math.max(...soak.samples.map((s) => s.rssBytes))), megabytes(soak.samples[soak.samples.length - 1]?.rssBytes),
          `${soak.slopeSecondHalfMbPerMinute.toFixed(1)} MB/min`, `${(secondHalfSpread(soak, 60) * 100).toFixed(1)}% (${(secondHalfSpread(soak, 1) * 100).toFixed(1)}%)`,
          `flat within ${SOAK_GOAL_SPREAD * 100}%`, secondHalfSpread(soak, 60) <= SOAK_GOAL_SPREAD ? 'yes' : 'NO',
        ]]),
        '',
        '```',
        rssChart(`RSS of the pipeline process (receiver, bus, writer${input.external ? '' : ', chDB'}) during the soak`, soak.samples),
        '```',
      ]
    : ['(soak skipped: --soak-minutes 0)'];
  const path = writeResults('ingest', {
    benchmark: 'ingest', startedAt: input.startedAt, finishedAt: new Date().toISOString(), flags,
    environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart: input.loadAverageAtStart, loadAverageAtEnd: loadavg(), clickhouse: input.external ? 'CLICKHOUSE_URL' : 'chDB in-process' },
    goals: { ratio: GOAL_RATIO, perCore: GOAL_PER_CORE, detectionSeconds: DETECTION_GOAL_SECONDS }, raw, cases, kafkaSkipped: input.kafkaSkipped, soak, detection: input.detection,
  });
  process.stdout.write([
    `## Ingest: OTLP/HTTP protobuf → bus → ClickHouse (${input.external ? 'CLICKHOUSE_URL' : 'chDB in-process'}; ${cpus().length} CPUs, load average ${input.loadAverageAtStart[0].toFixed(1)} → ${loadavg()[0].toFixed(1)})`,
    '',
    table,
    '',
    `Ours: spans in bodies the receiver acknowledged (200) during ${flags.seconds} s of sending over ${flags.connections} keep-alive connections (${formatCount(flags.batch)} spans per request, ${formatCount(input.pool.bodies.length)} pre-encoded bodies cycled, trace ids renewed on every pass so each trace is new), divided by the time until all of them were counted in the RED tier (otel_red_1m, computed before sampling) and every span tail sampling kept was in otel_traces.`,
    flags.sampling
      ? `Tail sampling as the app runs it: ${sampling.rate! * 100}% of ordinary traces by trace-id hash, every error trace and every trace with a span ≥ ${formatCount(sampling.slowThresholdMs!)} ms; undecided spans held in memory for ${formatCount(sampling.decisionWaitMs!)} ms (not waited for: latency, not work). The baseline stores every row.`
      : 'Tail sampling off (--sampling 0): every span is stored, as by the baseline.',
    `Baseline, same run and engine: @clickhouse/client inserts of the same rows (spanRow of the decoded pool) as JSONCompactEachRow${input.external ? '' : ', the body written to a local file read by INSERT … FROM INFILE (what the writer does with in-process chDB)'}, ${formatCount(flags['raw-batch'])} per insert, one at a time, into the same otel_traces schema, for ${flags.seconds} s.`,
    `Writer: ${flags['writer-rows'] ? `maxRows ${formatCount(flags['writer-rows'])}` : "the pipeline's defaults"}.`,
    `Per core: spans/s divided by this process's CPU (user + system, all threads: receiver, bus, writer${input.external ? '' : ' and the chDB engine'}); the load generator runs in its own process${cases.some((c) => c.name.startsWith('Kafka')) ? ' and the Kafka broker in its own JVM, neither counted' : ', not counted'}.`,
    '',
    ...soakLines,
    '',
    ...detectionLines(input.detection),
    '',
    `raw results: ${path}`,
    '',
  ].join('\n'));
}

/** The issue's soak goal: RSS over the second half of the soak flat within 10% (max / min − 1 of the minute medians). */
const SOAK_GOAL_SPREAD = 0.1;

/**
 * max / min − 1 of RSS over the second half, per window of `seconds`: the median of each window, so a chDB merge's
 * few seconds of extra memory (the per-second samples, `seconds` = 1) do not read as growth.
 */
function secondHalfSpread(soak: SoakResult, seconds: number): number {
  const windows = new Map<number, number[]>();
  for (const sample of soak.samples.filter((s) => s.atSeconds >= soak.minutes * 30)) {
    const key = Math.floor(sample.atSeconds / seconds);
    windows.set(key, [...(windows.get(key) ?? []), sample.rssBytes]);
  }
  const medians = [...windows.values()].map((rss) => percentile(rss.sort((a, b) => a - b), 50));
  return medians.length ? Math.max(...medians) / Math.min(...medians) - 1 : NaN;
}

/** Onset → AnomalyDetected per run against the closed-minute floor of the same run, and p50 / max against the goal. */
function detectionLines(detection: DetectionLatencyResult | null): string[] {
  if (!detection) return ['(detection latency skipped: --detection 0)'];
  const seconds = (value: number | null) => (value === null ? 'missed' : `${value.toFixed(1)} s`);
  const ratio = (measured: number | null, floor: number) => (measured === null ? '—' : formatRatio(measured / floor));
  const met = (value: number | null) => (value !== null && value <= DETECTION_GOAL_SECONDS ? 'yes' : 'NO');
  const rows = detection.runs.map((run, index) => [
    `run ${index + 1}: ${run.service}, onset at :${String(run.onsetSecond).padStart(2, '0')}`, seconds(run.latencySeconds), seconds(run.floorSeconds), ratio(run.latencySeconds, run.floorSeconds),
    run.detected ? `${run.detected.operation} ${run.detected.signal}, minute ${run.detected.windowStart.slice(11, 16)}` : '—', `≤ ${DETECTION_GOAL_SECONDS} s`, met(run.latencySeconds),
  ]);
  rows.push(
    ['p50', seconds(detection.latencyP50Seconds), seconds(detection.floorP50Seconds), ratio(detection.latencyP50Seconds, detection.floorP50Seconds), '', `≤ ${DETECTION_GOAL_SECONDS} s`, met(detection.latencyP50Seconds)],
    ['max', detection.missed ? 'missed' : seconds(detection.latencyMaxSeconds), seconds(detection.floorMaxSeconds), detection.missed ? '—' : ratio(detection.latencyMaxSeconds, detection.floorMaxSeconds), '', `≤ ${DETECTION_GOAL_SECONDS} s`, detection.missed ? 'NO' : met(detection.latencyMaxSeconds)],
  );
  const before = detection.runs.reduce((sum, run) => sum + run.detectedBeforeOnset, 0);
  return [
    markdownTable(['detection latency (fault onset → AnomalyDetected)', 'ours', 'baseline: closed-minute floor', 'ratio', 'detected on', 'goal', 'met?'], rows),
    '',
    `Ours: the app's recordedAt of the first AnomalyDetected for the faulty service − the start time of its first failing span; each run a fresh Vigil (receiver, in-process bus, chDB, DetectionRunner every ${detection.intervalMs / 1000} s; investigations off), ${detection.historyMinutes} clean minutes of shop traffic replayed time-compressed, then live traffic second by second in real time (${detection.tracesPerSecond} traces/s) with ${detection.fault} from the onset.`,
    `Baseline, same run: the closed-minute floor, i.e. how long a detector that only reads closed minutes waits at worst: end of the onset's minute + ${detection.latenessMs / 1000} s lateness + one detection interval (${detection.intervalMs / 1000} s), from the first failing span. Ratio < 1: detected before that minute could close.`,
    `AnomalyDetected for the faulty service before its onset (false positives of the clean traffic): ${before}.`,
  ];
}

const megabytes = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / 1024 ** 2).toFixed(0)} MB`);
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

/** The load generator child process (bench/ingest/load-generator.ts) and its IPC. */
class LoadGenerator {
  private listener: ((message: FromLoadGenerator) => void) | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromLoadGenerator) => this.listener?.(message));
  }

  static async start(poolFile: string): Promise<LoadGenerator> {
    // Inherits this process's execArgv (-r tools/register.js), so it runs the TypeScript source directly.
    const generator = new LoadGenerator(fork(join(__dirname, 'load-generator.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const ready = await generator.exchange({ type: 'load', poolFile }, () => undefined);
    if (ready.type !== 'ready') throw new Error('load generator did not load the pool');
    return generator;
  }

  async run(options: Omit<Extract<ToLoadGenerator, { type: 'run' }>, 'type'>, onProgress: (counters: LoadCounters) => void): Promise<LoadCounters> {
    const done = await this.exchange({ type: 'run', ...options }, onProgress);
    if (done.type !== 'done') throw new Error('load generator ended without its counters');
    return done;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
    this.child.kill();
  }

  private exchange(message: ToLoadGenerator, onProgress: (counters: LoadCounters) => void): Promise<FromLoadGenerator> {
    return new Promise((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`load generator exited (${code})`));
      this.child.once('exit', exited);
      this.listener = (reply) => {
        if (reply.type === 'progress') return onProgress(reply);
        this.child.off('exit', exited);
        this.listener = null;
        if (reply.type === 'failed') reject(new Error(`load generator: ${reply.error}`));
        else resolve(reply);
      };
      this.child.send(message);
    });
  }
}
