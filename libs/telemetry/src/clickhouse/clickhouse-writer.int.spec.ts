import type { ClickHouseClient } from '@clickhouse/client';
import { startClickHouse, type ClickHouseHandle } from '@vigil/testing';
import { OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, otelLogsV1, otelMetricsV1, otelSpansV1, type SpanV1 } from '@vigil/contracts';
import { InProcessTelemetryBus } from '../bus/in-process-bus';
import type { DeliveredBatch } from '../bus/telemetry-bus';
import { hex, makeSpan, spansBatch } from '../processor/spec-fixtures';
import { ClickHouseMigrator } from './migrator';
import { logRow, metricRow, spanRow, METRIC_TABLES, type Row } from './rows';
import { ClickHouseTelemetryWriter, TableRows } from './writer';

jest.setTimeout(120_000);

const nowNanos = () => (BigInt(Date.now()) * 1_000_000n).toString();

function span(traceId: string, overrides: Partial<SpanV1> = {}): SpanV1 {
  const start = nowNanos();
  return makeSpan(traceId, {
    attributes: { 'http.status_code': '500' }, numericAttributes: { 'http.status_code': 500 }, statusCode: 'Error', statusMessage: 'boom',
    events: [{ timeUnixNano: start, name: 'exception', attributes: { 'exception.type': 'Error' } }],
    links: [{ traceId: hex(16), spanId: hex(8), traceState: '', attributes: {} }],
    correlationId: 'inc-1', ...overrides,
  });
}

describe('ClickHouse telemetry schema and writer (chDB)', () => {
  let clickhouse: ClickHouseHandle;
  const database = `vigil_tel_${hex(4)}`;
  const count = async (sql: string) => {
    const [row] = await (await clickhouse.client.query({ query: `SELECT toString(count()) AS n FROM ${sql}`, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(row.n);
  };

  beforeAll(async () => {
    clickhouse = await startClickHouse();
  });
  afterAll(async () => {
    await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${database}_late` }).catch(() => undefined);
    await clickhouse?.stop();
  });

  it('migrates once to tables with the OpenTelemetry Collector exporter layout plus Vigil columns', async () => {
    const migrator = new ClickHouseMigrator(clickhouse.client, { database, ttlDays: 7 });
    expect(await migrator.migrate()).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7], current: 7 });
    expect(await migrator.migrate()).toEqual({ applied: [], current: 7 });

    const columns = await (await clickhouse.client.query({
      query: `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'otel_traces'`,
      query_params: { db: database }, format: 'JSONEachRow',
    })).json<{ name: string; type: string }>();
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      Timestamp: 'DateTime64(9)', TraceId: 'String', SpanId: 'String', ParentSpanId: 'String', TraceState: 'String',
      SpanName: 'LowCardinality(String)', SpanKind: 'LowCardinality(String)', ServiceName: 'LowCardinality(String)',
      ResourceAttributes: 'Map(LowCardinality(String), String)', ScopeName: 'String', ScopeVersion: 'String',
      SpanAttributes: 'Map(LowCardinality(String), String)', Duration: 'UInt64', StatusCode: 'LowCardinality(String)', StatusMessage: 'String',
      'Events.Timestamp': 'Array(DateTime64(9))', 'Events.Name': 'Array(LowCardinality(String))',
      'Events.Attributes': 'Array(Map(LowCardinality(String), String))', 'Links.TraceId': 'Array(String)',
      NumericAttributes: 'Map(LowCardinality(String), Float64)', CorrelationId: 'String', SampleWeight: 'Float64',
    });
    const [create] = await (await clickhouse.client.query({
      query: `SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = 'otel_traces'`, query_params: { db: database }, format: 'JSONEachRow',
    })).json<{ q: string }>();
    expect(create.q).toMatch(/PARTITION BY toDate\(Timestamp\)/);
    expect(create.q).toMatch(/INDEX idx_trace_id TraceId TYPE bloom_filter/);
    expect(create.q).toMatch(/ttl_only_drop_parts = 1/);
    expect(create.q).toMatch(/CODEC\(T64, ZSTD\(1\)\)/);
    const tables = await (await clickhouse.client.query({
      query: `SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name`, query_params: { db: database }, format: 'JSONEachRow',
    })).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining([
      'otel_logs', 'otel_metrics_gauge', 'otel_metrics_histogram', 'otel_metrics_sum', 'otel_traces', 'otel_traces_trace_id_ts', 'otel_traces_trace_id_ts_mv',
    ]));
    expect(tables.map((t) => t.name)).not.toContain('otel_traces_undecided');
  });

  it('writes spans, logs and metrics from bus batches, with the trace id lookup filled by the materialized view', async () => {
    const writer = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, flushIntervalMs: 50 });
    const traceId = hex(16);
    const s = span(traceId);
    await writer.write(spansBatch([s, span(traceId, { parentSpanId: s.spanId, name: 'SELECT' })]));
    const log = {
      timeUnixNano: nowNanos(), observedTimeUnixNano: nowNanos(), traceId, spanId: s.spanId, traceFlags: 1, severityText: 'ERROR', severityNumber: 17,
      serviceName: 'checkout', body: 'payment failed', resourceSchemaUrl: '', resourceAttributes: {}, scopeSchemaUrl: '', scopeName: '', scopeVersion: '',
      scopeAttributes: {}, attributes: { attempt: '2' }, numericAttributes: { attempt: 2 }, correlationId: 'inc-1', sampleWeight: 1,
    };
    const metricBase = {
      serviceName: 'checkout', description: '', unit: 'ms', resourceSchemaUrl: '', resourceAttributes: {}, scopeSchemaUrl: '', scopeName: '', scopeVersion: '',
      scopeAttributes: {}, scopeDroppedAttrCount: 0, attributes: { route: '/pay' }, startTimeUnixNano: nowNanos(), timeUnixNano: nowNanos(), flags: 0,
      exemplars: [{ filteredAttributes: {}, timeUnixNano: nowNanos(), value: 12, spanId: s.spanId, traceId }],
    };
    await writer.write({ topic: OTEL_LOGS_V1, partition: 0, messages: [
      { topic: OTEL_LOGS_V1, partition: 0, key: traceId, id: 'log/1', value: otelLogsV1.encode({ v: 1, traceId, logs: [log] }) },
      { topic: OTEL_METRICS_V1, partition: 0, key: 'series', id: 'metrics/1', value: otelMetricsV1.encode({ v: 1, series: 'series', points: [
        { ...metricBase, type: 'gauge', metricName: 'queue.depth', value: 7 },
        { ...metricBase, type: 'sum', metricName: 'requests', value: 3, aggregationTemporality: 2, isMonotonic: true },
        { ...metricBase, type: 'histogram', metricName: 'latency', aggregationTemporality: 2, count: '3', sum: 30, bucketCounts: ['1', '2'], explicitBounds: [10], min: 5, max: 15 },
      ] }) },
    ] });

    const [row] = await (await clickhouse.client.query({
      query: `SELECT SpanName, SpanKind, StatusCode, toString(Duration) AS Duration, SpanAttributes['http.status_code'] AS code,
                     NumericAttributes['http.status_code'] AS numeric, CorrelationId, Events.Name AS events, length(Links.TraceId) AS links
              FROM ${database}.otel_traces WHERE TraceId = {traceId:String} AND ParentSpanId = ''`,
      query_params: { traceId }, format: 'JSONEachRow',
    })).json<Record<string, unknown>>();
    expect(row).toMatchObject({ SpanName: 'GET /pay', SpanKind: 'Server', StatusCode: 'Error', Duration: '2500000', code: '500', numeric: 500, CorrelationId: 'inc-1', events: ['exception'] });
    expect(Number(row.links)).toBe(1);
    expect(await count(`${database}.otel_traces_trace_id_ts WHERE TraceId = '${traceId}'`)).toBe(1);
    expect(await count(`${database}.otel_logs WHERE TraceId = '${traceId}' AND SeverityText = 'ERROR'`)).toBe(1);
    expect(await count(`${database}.otel_metrics_gauge WHERE MetricName = 'queue.depth' AND Value = 7`)).toBe(1);
    expect(await count(`${database}.otel_metrics_sum WHERE MetricName = 'requests' AND IsMonotonic`)).toBe(1);
    expect(await count(`${database}.otel_metrics_histogram WHERE MetricName = 'latency' AND Count = 3 AND BucketCounts = [1, 2]`)).toBe(1);
    await writer.stop();
  });

  it('stores through JSONCompactEachRow exactly what a JSONEachRow insert of the same rows stores, in every table, in the request and from a local file; rows of mixed shapes go as JSONEachRow', async () => {
    const [viaWriter, viaFiles, reference] = [`${database}_fmt`, `${database}_file`, `${database}_ref`];
    for (const db of [viaWriter, viaFiles, reference]) await new ClickHouseMigrator(clickhouse.client, { database: db }).migrate();
    const traceId = hex(16);
    const nanos = `${(BigInt(Date.now()) * 1_000_000n + 123_457n).toString()}`; // DateTime64(9) keeps every digit
    const spans = [
      span(traceId), span(traceId, { events: [], links: [], name: 'it\'s "quoted" \\ \u00e9', attributes: { 'a.b': 'x\ny', "k'\\": 'tab\there' } }),
      span(traceId, { startTimeUnixNano: nanos, endTimeUnixNano: `${BigInt(nanos) + 987_654_321n}`, events: [{ timeUnixNano: nanos, name: 'e', attributes: { q: "'" } }] }),
    ];
    const log = {
      timeUnixNano: nowNanos(), observedTimeUnixNano: nowNanos(), traceId, spanId: spans[0].spanId, traceFlags: 1, severityText: 'ERROR', severityNumber: 17,
      serviceName: 'checkout', body: 'payment failed', resourceSchemaUrl: '', resourceAttributes: { 'service.name': 'checkout' }, scopeSchemaUrl: '', scopeName: 's',
      scopeVersion: '1', scopeAttributes: {}, attributes: { attempt: '2' }, numericAttributes: { attempt: 2 }, correlationId: 'inc-1', sampleWeight: 1,
    };
    const metricBase = {
      serviceName: 'checkout', description: 'd', unit: 'ms', resourceSchemaUrl: '', resourceAttributes: {}, scopeSchemaUrl: '', scopeName: '', scopeVersion: '',
      scopeAttributes: {}, scopeDroppedAttrCount: 0, attributes: { route: '/pay' }, startTimeUnixNano: nowNanos(), timeUnixNano: nowNanos(), flags: 0,
      exemplars: [{ filteredAttributes: { a: 'b' }, timeUnixNano: nowNanos(), value: 12.5, spanId: spans[0].spanId, traceId }],
    };
    const points = [
      { ...metricBase, type: 'gauge' as const, metricName: 'queue.depth', value: 7 },
      { ...metricBase, type: 'sum' as const, metricName: 'requests', value: 3, aggregationTemporality: 2, isMonotonic: true },
      { ...metricBase, type: 'histogram' as const, metricName: 'latency', aggregationTemporality: 2, count: '3', sum: 30, bucketCounts: ['1', '2'], explicitBounds: [10], min: 5, max: 15 },
    ];
    const rows = new TableRows();
    spans.forEach((s, i) => rows.add('otel_traces', `fmt/span/${i}`, spanRow(s)));
    rows.add('otel_logs', 'fmt/log', logRow(log));
    points.forEach((point, i) => rows.add(METRIC_TABLES[point.type], `fmt/metric/${i}`, metricRow(point)));
    // Mixed shapes in one insert: a row without SampleWeight (its DEFAULT 1) and one with an undefined value.
    const mixed = new TableRows();
    const withoutWeight: Row = spanRow({ ...span(traceId), sampleWeight: 3 });
    delete withoutWeight.SampleWeight;
    mixed.add('otel_traces', 'fmt/mixed/0', withoutWeight);
    mixed.add('otel_traces', 'fmt/mixed/1', { ...spanRow(span(traceId)), CorrelationId: undefined });
    const formats: string[] = [];
    const client = {
      insert: (params: Parameters<ClickHouseClient['insert']>[0]) => {
        formats.push(`${String(params.table).split('.')[1]} ${params.format}`);
        return clickhouse.client.insert(params);
      },
      query: (params: Parameters<ClickHouseClient['query']>[0]) => clickhouse.client.query(params),
    } as unknown as ClickHouseClient;
    const writer = new ClickHouseTelemetryWriter({ client, database: viaWriter, flushIntervalMs: 20 });
    expect(writer.transport).toBe('request');
    await writer.writeTables(rows.tables);
    await writer.writeTables(mixed.tables);
    await writer.stop();
    // chDB in this process reads each insert's rows from a local file (INSERT … FROM INFILE): the same rows must land.
    if (!clickhouse.external) {
      const fileWriter = new ClickHouseTelemetryWriter({ client: clickhouse.client, database: viaFiles, flushIntervalMs: 20 });
      expect(fileWriter.transport).toBe('file');
      await fileWriter.writeTables(rows.tables);
      await fileWriter.writeTables(mixed.tables);
      await fileWriter.stop();
    }
    expect(formats.sort()).toEqual([
      'otel_logs JSONCompactEachRow', 'otel_metrics_gauge JSONCompactEachRow', 'otel_metrics_histogram JSONCompactEachRow', 'otel_metrics_sum JSONCompactEachRow',
      'otel_traces JSONCompactEachRow', 'otel_traces JSONEachRow', ...Array<string>(6).fill('vigil_written_messages JSONCompactEachRow'),
    ]);
    for (const [table, parts] of rows.tables) {
      if (table === 'otel_traces') parts.push(...mixed.tables.get(table)!);
      await clickhouse.client.insert({
        table: `${reference}.${table}`, values: parts.flatMap((part) => part.rows), format: 'JSONEachRow', clickhouse_settings: { date_time_input_format: 'basic' },
      });
    }

    const stored = async (db: string, table: string) => {
      const columns = await (await clickhouse.client.query({
        query: `SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String} AND default_expression NOT LIKE '%now%' ORDER BY position`,
        query_params: { db, table }, format: 'JSONEachRow',
      })).json<{ name: string }>();
      const list = columns.map((column) => `\`${column.name}\``).join(', ');
      return (await clickhouse.client.query({ query: `SELECT ${list} FROM ${db}.${table} ORDER BY ${list}`, format: 'JSONEachRow' })).json<Row>();
    };
    for (const table of rows.tables.keys()) {
      const expected = await stored(reference, table);
      expect(expected.length).toBe(rows.tables.get(table)!.flatMap((part) => part.rows).length);
      expect(await stored(viaWriter, table)).toEqual(expected);
      if (!clickhouse.external) expect(await stored(viaFiles, table)).toEqual(expected);
    }
    const weights = await (await clickhouse.client.query({ query: `SELECT SampleWeight AS w FROM ${viaWriter}.otel_traces ORDER BY w`, format: 'JSONEachRow' })).json<{ w: number }>();
    expect(weights.map((row) => row.w)).toEqual([1, 1, 1, 1, 1]);
    for (const db of [viaWriter, viaFiles, reference]) await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  });

  it('stores a replayed batch once, also when the writer crashed between the insert and its record (insert_deduplication_token)', async () => {
    const writer = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, flushIntervalMs: 20 });
    const traceId = hex(16);
    const batch = spansBatch([span(traceId), span(traceId), span(traceId)]);
    await writer.write(batch);
    await writer.write(batch); // e.g. redelivered after a crash before the offset commit
    expect(writer.stats).toMatchObject({ inserts: 1, replayedMessages: 3 });
    await clickhouse.client.command({ query: `TRUNCATE TABLE ${database}.vigil_written_messages` }); // the record never made it
    await writer.write(batch);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${traceId}'`)).toBe(3);
    expect(writer.stats.inserts).toBe(2);

    // The same rows under new message ids are new data, not a replay.
    await writer.write(spansBatch(batch.messages.map((m) => otelSpansV1.decode(m.value).spans[0])));
    expect(await count(`${database}.otel_traces WHERE TraceId = '${traceId}'`)).toBe(6);
    await writer.stop();
  });

  it('stores a replay once however it is re-batched (messages already written are skipped, per table)', async () => {
    const writer = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, flushIntervalMs: 20 });
    const traceId = hex(16);
    const original = spansBatch(Array.from({ length: 10 }, () => span(traceId)));
    const slice = (from: number, to: number): DeliveredBatch => ({ ...original, messages: original.messages.slice(from, to) });
    await writer.write(slice(0, 4));
    await writer.write(slice(4, 10));
    // Kafka replay after a lost offset commit, fetched in other splits (one overlapping both original batches).
    await Promise.all([writer.write(slice(0, 3)), writer.write(slice(3, 7))]);
    await writer.write(slice(7, 10));
    await writer.write(original);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${traceId}'`)).toBe(10);
    expect(writer.stats.replayedMessages).toBe(20);

    // A new writer (a restarted or other processor instance) remembers through ClickHouse, not memory.
    const restarted = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, flushIntervalMs: 20 });
    await restarted.write(slice(2, 9));
    expect(await count(`${database}.otel_traces WHERE TraceId = '${traceId}'`)).toBe(10);
    expect(restarted.stats).toMatchObject({ inserts: 0, replayedMessages: 7 });
    await Promise.all([writer.stop(), restarted.stop()]);
  });

  it('batches up to maxRows per insert', async () => {
    const writer = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, maxRows: 5_000, flushIntervalMs: 60_000 });
    const traceId = hex(16);
    const writes = Array.from({ length: 10 }, () => writer.write(spansBatch(Array.from({ length: 1_000 }, () => span(traceId)))));
    await Promise.all(writes);
    expect(writer.stats.inserts).toBe(2);
    expect(await count(`${database}.otel_traces WHERE TraceId = '${traceId}'`)).toBe(10_000);
    await writer.stop();
  });

  it('pauses intake while ClickHouse refuses inserts: nothing is acknowledged or dropped, the bus fills and refuses, and all rows land once it recovers', async () => {
    const late = `${database}_late`; // its tables do not exist yet: every insert fails
    const paused: unknown[] = [];
    const writer = new ClickHouseTelemetryWriter({
      client: clickhouse.client, database: late, flushIntervalMs: 20, retryInitialDelayMs: 50, retryMaxDelayMs: 200, onPause: (e) => paused.push(e),
    });
    const bus = new InProcessTelemetryBus({ capacity: 5, maxBatchMessages: 2, maxInFlightBatches: 1 });
    const subscription = await bus.subscribe({ topics: [OTEL_SPANS_V1], groupId: 'writer', handler: writer.handler });
    const traceId = hex(16);
    const publish = () => bus.publish(OTEL_SPANS_V1, [{ key: traceId, value: otelSpansV1.encode({ v: 1, traceId, spans: [span(traceId)] }) }]);
    for (let i = 0; i < 5; i++) await publish();
    await expect(publish()).rejects.toMatchObject({ kind: 'full' });
    const pausedBy = Date.now() + 10_000; // the first failure takes a while on a loaded machine
    while (!writer.paused && Date.now() < pausedBy) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writer.paused).toBe(true);
    expect(paused).toHaveLength(1);
    expect(bus.backlog(OTEL_SPANS_V1)).toBe(5);

    await new ClickHouseMigrator(clickhouse.client, { database: late }).migrate();
    const deadline = Date.now() + 20_000;
    while (bus.backlog(OTEL_SPANS_V1) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writer.paused).toBe(false);
    expect(await count(`${late}.otel_traces WHERE TraceId = '${traceId}'`)).toBe(5);
    await publish();
    await subscription.stop();
    await writer.stop();
  });
});
