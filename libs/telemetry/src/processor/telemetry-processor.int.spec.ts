import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseHandle } from '@vigil/testing';
import { OTEL_SPANS_V1, otelSpansV1 } from '@vigil/contracts';
import { InProcessTelemetryBus } from '../bus/in-process-bus';
import type { BatchOutcome } from '../bus/telemetry-bus';
import { ClickHouseMigrator } from '../clickhouse/migrator';
import { ClickHouseTelemetryWriter } from '../clickhouse/writer';
import { exportParquet } from '../clickhouse/parquet-export';
import { runExportParquet } from '../cli/export-parquet';
import { RedSeriesReader } from './red-series-reader';
import { TelemetryProcessor, type TelemetryProcessorOptions } from './telemetry-processor';
import { hex, logsBatch, makeLog, makeSpan, spansBatch, traceIdAt } from './spec-fixtures';
import type { SpanV1 } from '@vigil/contracts';

jest.setTimeout(180_000);

describe('TelemetryProcessor on ClickHouse (chDB)', () => {
  let clickhouse: ClickHouseHandle;
  const prefix = `vigil_proc_${hex(3)}`;
  const databases: string[] = [];
  const stops: Array<() => Promise<void> | void> = [];

  async function freshDatabase(): Promise<string> {
    const database = `${prefix}_${databases.length}`;
    databases.push(database);
    await new ClickHouseMigrator(clickhouse.client, { database }).migrate();
    return database;
  }
  function processor(database: string, options: TelemetryProcessorOptions = {}, now?: () => number) {
    const writer = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, flushIntervalMs: 20 });
    const instance = new TelemetryProcessor({ writer, now }, options);
    stops.push(async () => {
      await writer.stop();
      instance.stop();
    });
    return instance;
  }
  async function rows<T>(query: string): Promise<T[]> {
    return (await clickhouse.client.query({ query, format: 'JSONEachRow' })).json<T>();
  }
  /** True when the batch's held spans are released within `ms` (a batch with nothing held is released at once). */
  async function releasedWithin(outcome: BatchOutcome, ms: number): Promise<boolean> {
    if (!outcome) return true;
    return Promise.race([outcome.release.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  }
  const count = async (from: string) => Number((await rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${from}`))[0].n);

  beforeAll(async () => {
    clickhouse = await startClickHouse();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => {
    for (const database of databases) await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse?.stop();
  });

  /** 3 minutes of traffic for two operations: 1 in 7 spans fails, durations spread over 1–400 ms. */
  function traffic(): SpanV1[] {
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000; // last full hour: all tiers see it
    return Array.from({ length: 1_200 }, (_, i) => makeSpan(traceIdAt(((i * 7919) % 1000) / 1000), {
      name: i % 3 === 0 ? 'POST /pay' : 'GET /cart',
      startMs: base + (i % 3) * 60_000 + i,
      durationMs: 1 + ((i * 37) % 400),
      statusCode: i % 7 === 0 ? 'Error' : 'Unset',
    }));
  }
  const everything = { from: new Date(Date.now() - 3 * 3_600_000), to: new Date(Date.now() + 60_000) };

  it('computes RED before sampling as mergeable state: two processors with half the spans each, or one sampling 1%, give the counts and quantiles of one processor with everything', async () => {
    const spans = traffic();
    const [single, split, sampled] = [await freshDatabase(), await freshDatabase(), await freshDatabase()];
    await processor(single).process(spansBatch(spans));
    const [first, second] = [processor(split), processor(split)];
    await Promise.all([
      first.process(spansBatch(spans.filter((_, i) => i % 2 === 0))),
      second.process(spansBatch(spans.filter((_, i) => i % 2 === 1))),
    ]);
    const sampler = processor(sampled, { sampling: { rate: 0.01, decisionWaitMs: 100, slowThresholdMs: 390 } });
    for (let i = 0; i < spans.length; i += 100) await sampler.process(spansBatch(spans.slice(i, i + 100)));

    for (const step of ['1m', '10m', '1h'] as const) {
      const expected = await new RedSeriesReader(clickhouse.client, single).series({ ...everything, step });
      expect(expected.reduce((sum, point) => sum + point.requests, 0)).toBe(1_200);
      expect(await new RedSeriesReader(clickhouse.client, split).series({ ...everything, step })).toEqual(expected);
      expect(await new RedSeriesReader(clickhouse.client, sampled).series({ ...everything, step })).toEqual(expected);
    }
    const [minute] = await new RedSeriesReader(clickhouse.client, single).series({ ...everything, step: '1m', service: 'checkout', operation: 'POST /pay' });
    expect(minute).toMatchObject({ service: 'checkout', operation: 'POST /pay', requests: 400 });
    expect(minute.errorRate).toBeCloseTo(minute.errors / 400);
    expect(minute.p50Ms).toBeGreaterThan(100);
    // The percentiles are merged from the same states at levels they were not stored with (durations ~ uniform 1–400 ms).
    const ladder = Object.entries(minute.percentilesMs).map(([percent, ms]) => [Number(percent), ms]).sort((a, b) => a[0] - b[0]);
    expect(ladder.map(([percent]) => percent)).toEqual([50, 60, 70, 75, 80, 85, 90, 95, 99]);
    ladder.slice(1).forEach(([, ms], i) => expect(ms).toBeGreaterThan(ladder[i][1]));
    expect(minute.percentilesMs[90]).toBeGreaterThan(0.8 * 400);
    expect(minute.percentilesMs[95]).toBe(minute.p95Ms);
    expect(minute.p99Ms).toBeGreaterThan(minute.p95Ms);
    expect(minute.p99Ms).toBeLessThanOrEqual(400 * 1.01);
    expect(await new RedSeriesReader(clickhouse.client, single).keys({ since: everything.from }))
      .toEqual([{ service: 'checkout', operation: 'GET /cart' }, { service: 'checkout', operation: 'POST /pay' }]);

    // Stored spans: every error and slow span, plus ~1% of the rest weighted ×100.
    const stored = (await rows<{ reason: string; n: string; weight: number }>(
      `SELECT multiIf(StatusCode = 'Error', 'error', Duration >= 390000000, 'slow', 'hash') AS reason, toString(count()) AS n, any(SampleWeight) AS weight
       FROM ${sampled}.otel_traces GROUP BY reason ORDER BY reason`));
    const errors = spans.filter((span) => span.statusCode === 'Error').length;
    expect(stored.find((row) => row.reason === 'error')).toMatchObject({ n: String(errors), weight: 1 });
    const byHash = stored.find((row) => row.reason === 'hash');
    expect(byHash?.weight).toBe(100);
    expect(Number(byHash?.n)).toBeGreaterThan(0);
    expect(Number(byHash?.n)).toBeLessThan(40);
  });

  it('holds the first spans of a trace until an error keeps it, then stores the whole trace and releases the held batch; drops a quiet trace after the decision wait, late spans included', async () => {
    const database = await freshDatabase();
    let now = Date.now();
    const instance = processor(database, { sampling: { rate: 0.01, decisionWaitMs: 300 } }, () => now);
    const rescued = traceIdAt(0.5);
    const quiet = traceIdAt(0.6);
    const first = await instance.process(spansBatch([makeSpan(rescued, { name: 'SELECT', parentSpanId: hex(8) })]));
    const second = await instance.process(spansBatch([makeSpan(quiet)]));
    expect(instance.undecidedTraces).toBe(2);
    expect(instance.heldSpans).toBe(2);
    expect(await count(`${database}.otel_traces`)).toBe(0);
    // Nothing of the undecided traces is stored while held: their batches are not released yet.
    expect(await releasedWithin(first, 50)).toBe(false);
    expect(await releasedWithin(second, 50)).toBe(false);

    const keeping = await instance.process(spansBatch([makeSpan(rescued, { statusCode: 'Error', statusMessage: 'card declined' })]));
    expect(keeping).toBeUndefined();
    expect(await releasedWithin(first, 50)).toBe(true);
    expect(await rows(`SELECT SpanName, StatusCode, SampleWeight FROM ${database}.otel_traces WHERE TraceId = '${rescued}' ORDER BY SpanName`))
      .toEqual([{ SpanName: 'GET /pay', StatusCode: 'Error', SampleWeight: 1 }, { SpanName: 'SELECT', StatusCode: 'Unset', SampleWeight: 1 }]);

    now += 400;
    await instance.process(spansBatch([makeSpan(quiet, { statusCode: 'Error' }), makeSpan(rescued, { name: 'late' })]));
    expect(await releasedWithin(second, 50)).toBe(true);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${quiet}'`)).toBe(0);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${rescued}'`)).toBe(3);
    expect(instance.stats).toMatchObject({ spans: 5, keptSpans: 2, droppedSpans: 1, heldSpans: 2, promotedTraces: 1 });
    expect(instance.heldSpans).toBe(0);
    expect(await count(`${database}.otel_red_1m`)).toBeGreaterThan(0);
  });

  it('stores a redelivered held batch once when its trace is kept again after a restart (replay dedup by message id)', async () => {
    const database = await freshDatabase();
    const trace = traceIdAt(0.5);
    const held = spansBatch([makeSpan(trace, { name: 'SELECT' })]);
    const error = spansBatch([makeSpan(trace, { statusCode: 'Error' })]);
    const before = processor(database, { sampling: { rate: 0.01, decisionWaitMs: 60_000 } });
    await before.process(held);
    await before.process(error);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${trace}'`)).toBe(2);
    // A new processor (a restart) gets both batches again: the offsets were not committed yet.
    const after = processor(database, { sampling: { rate: 0.01, decisionWaitMs: 60_000 } });
    await after.process(held);
    await after.process(error);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${trace}'`)).toBe(2);
  });

  it('enriches resources, scrubs PII before storage and gives logs the correlation id of their trace', async () => {
    const database = await freshDatabase();
    const instance = processor(database, { enrichment: { defaultEnvironment: 'staging', staticAttributes: { 'vigil.region': 'eu' } } });
    const traceId = hex(16);
    await instance.process(spansBatch([makeSpan(traceId, {
      serviceName: '', resourceAttributes: { 'deployment.environment': 'PROD', 'k8s.namespace.name': 'shop' },
      attributes: { 'user.email': 'jane@example.com', 'http.request.header.authorization': 'Bearer abcdefgh12345678', 'correlation.id': 'inc-42' },
      statusMessage: 'card 4111 1111 1111 1111 declined', correlationId: 'inc-42',
      events: [{ timeUnixNano: '1', name: 'exception', attributes: { 'exception.message': 'no user bob@shop.io' } }],
    })]));
    await instance.process(logsBatch([
      makeLog(traceId, { body: 'charge failed for jane@example.com', attributes: { card: '5555555555554444' }, numericAttributes: { card: 5555555555554444 } }),
      makeLog(traceId, { correlationId: 'own-id' }),
      makeLog('', { body: 'no trace' }),
    ]));
    const [span] = await rows<Record<string, unknown>>(`SELECT ServiceName, ResourceAttributes, SpanAttributes, StatusMessage, Events.Attributes AS events FROM ${database}.otel_traces`);
    expect(span).toMatchObject({
      ServiceName: 'unknown_service',
      ResourceAttributes: { 'service.name': 'unknown_service', environment: 'production', 'k8s.namespace.name': 'shop', 'vigil.region': 'eu' },
      SpanAttributes: { 'user.email': '[REDACTED:email]', 'http.request.header.authorization': '[REDACTED:secret]', 'correlation.id': 'inc-42' },
      StatusMessage: 'card [REDACTED:card] declined',
      events: [{ 'exception.message': 'no user [REDACTED:email]' }],
    });
    expect(await rows(`SELECT Body, LogAttributes, NumericAttributes, CorrelationId FROM ${database}.otel_logs ORDER BY Body, CorrelationId`)).toEqual([
      { Body: 'charge failed for [REDACTED:email]', LogAttributes: { card: '[REDACTED:card]' }, NumericAttributes: {}, CorrelationId: 'inc-42' },
      { Body: 'no trace', LogAttributes: {}, NumericAttributes: {}, CorrelationId: '' },
      { Body: 'ok', LogAttributes: {}, NumericAttributes: {}, CorrelationId: 'own-id' },
    ]);
  });

  it('takes the next batch without waiting for the decision wait (the undecided spans are held in memory), so a long wait does not throttle the bus', async () => {
    const database = await freshDatabase();
    const instance = processor(database, { sampling: { rate: 0.01, decisionWaitMs: 30_000 } });
    const bus = new InProcessTelemetryBus({ maxBatchMessages: 100, maxInFlightBatches: 1 });
    const subscription = await bus.subscribe({ topics: [OTEL_SPANS_V1], groupId: 'processor', handler: instance.handler });
    stops.push(() => subscription.stop());
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      await bus.publish(OTEL_SPANS_V1, Array.from({ length: 100 }, () => {
        const traceId = traceIdAt(0.02 + Math.random() * 0.98);
        return { key: traceId, value: otelSpansV1.encode({ v: 1, traceId, spans: [makeSpan(traceId)] }) };
      }));
    }
    while (bus.backlog(OTEL_SPANS_V1) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(30_000);
    expect(instance.undecidedTraces).toBe(2_000);
    expect(instance.heldSpans).toBe(2_000);
    expect(await count(`${database}.otel_traces`)).toBe(0);
    console.log(`20 batches of 100 undecided traces acknowledged in ${elapsed} ms with a 30 s decision wait`);
  });

  it('exports the hourly rollup as one Parquet file per day with finalized values, readable by ClickHouse', async () => {
    const database = await freshDatabase();
    await processor(database).process(spansBatch(traffic()));
    const outDir = mkdtempSync(join(tmpdir(), 'vigil-parquet-'));
    try {
      const files = await exportParquet({ client: clickhouse.client, database, ...everything, outDir });
      expect(files.length).toBeGreaterThanOrEqual(1);
      const [file] = files;
      expect(readFileSync(file.path).subarray(0, 4).toString()).toBe('PAR1');
      const [back] = await rows<Record<string, unknown>>(
        `SELECT toString(count()) AS n, toString(sum(Requests)) AS requests, max(P99Ms) <= 404 AS sane FROM file('${file.path}', Parquet)`);
      expect(back).toMatchObject({ n: '2', requests: '1200', sane: 1 });

      const stderr: string[] = [];
      const stdout: string[] = [];
      const sink = (lines: string[]) => ({ write: (chunk: string) => lines.push(chunk) }) as unknown as NodeJS.WritableStream;
      const cliOut = join(outDir, 'cli');
      const viaCli = await runExportParquet(['--from', everything.from.toISOString(), '--to', everything.to.toISOString(), '--out', cliOut, '--database', database],
        clickhouse.client, { stdout: sink(stdout), stderr: sink(stderr) });
      expect(viaCli.map((f) => f.rows)).toEqual(files.map((f) => f.rows));
      expect(stdout.join('')).toContain(join(cliOut, 'otel_red_1h_'));
      expect(stderr.join('')).toMatch(/done: \d file\(s\), 2 rows/);
      expect(existsSync(`${viaCli[0].path}.partial`)).toBe(false);
      await expect(runExportParquet(['--tier', '5m'], clickhouse.client, { stderr: sink([]) })).rejects.toThrow(/--tier/);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
