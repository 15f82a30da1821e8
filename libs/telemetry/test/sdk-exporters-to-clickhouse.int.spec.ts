/**
 * End to end with the real OpenTelemetry JS SDK exporters as clients: SDK → OTLP/HTTP receiver → in-process bus →
 * ClickHouse writer → rows in chDB.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startClickHouse, type ClickHouseHandle } from '@vigil/testing';
import { TelemetryPipeline } from '../src/pipeline';
import type { SdkClientRequest } from './sdk-client';

const ROOT = join(__dirname, '..', '..', '..');

/** Runs the SDK in its own Node process (as an instrumented app would be) and returns its JSON result. */
async function runSdkClient<T>(request: SdkClientRequest): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', './tools/register.js', join(__dirname, 'sdk-client.ts'), JSON.stringify(request)],
    { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}

jest.setTimeout(120_000);

describe('OpenTelemetry SDK exporters → OTLP/HTTP receiver → bus → ClickHouse (chDB)', () => {
  let clickhouse: ClickHouseHandle;
  let pipeline: TelemetryPipeline;
  const database = `vigil_e2e_${randomBytes(4).toString('hex')}`;
  const url = () => pipeline.receiver!.url;

  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return (await clickhouse.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  }
  async function waitForRows<T>(query: string, params: Record<string, unknown>, expected: number): Promise<T[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = await rows<T>(query, params);
      if (found.length >= expected || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    pipeline = new TelemetryPipeline({
      clickhouse: clickhouse.client,
      schema: { database },
      receiver: { port: 0, host: '127.0.0.1', maxBodyBytes: 256 * 1024 },
      writer: { flushIntervalMs: 100 },
    });
    await pipeline.start();
  });
  afterAll(async () => {
    await pipeline?.stop();
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse?.stop();
  });

  async function emitTrace(protocol: 'http/json' | 'http/protobuf', gzip: boolean, service: string): Promise<string> {
    const result = await runSdkClient<{ traceId: string; ok: boolean; error?: string }>({ url: url(), scenario: 'trace', protocol, gzip, service });
    expect(result).toMatchObject({ ok: true });
    return result.traceId;
  }

  const exporters: Array<[string, 'http/json' | 'http/protobuf', boolean]> = [
    ['http/json', 'http/json', false],
    ['http/protobuf', 'http/protobuf', false],
    ['http/protobuf + gzip', 'http/protobuf', true],
    ['http/json + gzip', 'http/json', true],
  ];

  it.each(exporters)('stores spans sent by the SDK over %s in otel_traces', async (name, protocol, gzip) => {
    const service = `shop-${name.replace(/\W+/g, '-')}`;
    const traceId = await emitTrace(protocol, gzip, service);
    const found = await waitForRows<Record<string, unknown>>(
      `SELECT SpanName, SpanKind, ServiceName, StatusCode, StatusMessage, ParentSpanId, ScopeName, ScopeVersion, SpanAttributes, NumericAttributes,
              ResourceAttributes['deployment.environment'] AS env, Events.Name AS events, Duration > 0 AS timed
       FROM ${database}.otel_traces WHERE TraceId = {traceId:String} ORDER BY SpanName`, { traceId }, 2);
    expect(found).toHaveLength(2);
    const [parent, child] = found; // ORDER BY SpanName: upper case sorts first
    expect(parent).toMatchObject({ SpanName: 'POST /checkout', SpanKind: 'Server', ServiceName: service, StatusCode: 'Unset', ParentSpanId: '',
      ScopeName: 'vigil-e2e', ScopeVersion: '1.2.3', env: 'spec', SpanAttributes: { 'http.route': '/checkout', 'http.response.status_code': '502' },
      NumericAttributes: { 'http.response.status_code': 502 } });
    expect(child).toMatchObject({ SpanName: 'charge card', SpanKind: 'Client', StatusCode: 'Error', StatusMessage: 'card declined', events: ['declined'] });
    expect(child.ParentSpanId).toMatch(/^[0-9a-f]{16}$/);
    const [lookup] = await rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${database}.otel_traces_trace_id_ts WHERE TraceId = {traceId:String}`, { traceId });
    expect(Number(lookup.n)).toBeGreaterThanOrEqual(1);
  });

  it('stores SDK logs (http/protobuf) correlated to their trace, and SDK metrics (http/json) in otel_metrics_sum', async () => {
    const traceId = randomBytes(16).toString('hex');
    const spanContext = { traceId, spanId: randomBytes(8).toString('hex') };
    expect(await runSdkClient({ url: url(), scenario: 'logs-metrics', service: 'ledger', ...spanContext })).toEqual({ ok: true });

    const logs = await waitForRows<Record<string, unknown>>(
      `SELECT Body, SeverityText, SeverityNumber, ServiceName, LogAttributes, SpanId FROM ${database}.otel_logs WHERE TraceId = {traceId:String}`, { traceId }, 1);
    expect(logs).toEqual([expect.objectContaining({ Body: 'posting failed', SeverityText: 'ERROR', SeverityNumber: 17, ServiceName: 'ledger',
      LogAttributes: { 'ledger.entries': '3' }, SpanId: spanContext.spanId })]);
    const sums = await waitForRows<Record<string, unknown>>(
      `SELECT Value, IsMonotonic, Attributes FROM ${database}.otel_metrics_sum WHERE ServiceName = 'ledger' AND MetricName = 'ledger.postings'`, {}, 1);
    expect(sums[0]).toMatchObject({ Value: 5, IsMonotonic: true, Attributes: { outcome: 'failed' } });
  });

  it('answers malformed, truncated, oversized and mistyped requests with the right 4xx, keeps running, and stores nothing from them', async () => {
    const [before] = await rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${database}.otel_traces`);
    const post = (body: Buffer | string, headers: Record<string, string>, path = '/v1/traces') => fetch(`${url()}${path}`, { method: 'POST', body, headers });
    expect((await post(Buffer.from([0x0a, 0x05, 0x01]), { 'content-type': 'application/x-protobuf' })).status).toBe(400); // truncated message
    expect((await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('{"resourceSpans":[{"scopeSpans":"not a list"}]}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(Buffer.alloc(300 * 1024), { 'content-type': 'application/x-protobuf' })).status).toBe(413);
    expect((await post('<spans/>', { 'content-type': 'application/xml' })).status).toBe(415);
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'zstd' })).status).toBe(415);
    // A client that dies mid-body.
    await new Promise<void>((resolve) => {
      const req = request(`${url()}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': '4096' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100, 0x0a));
      setTimeout(() => { req.destroy(); resolve(); }, 50);
    });

    // Still serving the SDK.
    const traceId = await emitTrace('http/protobuf', false, 'after-abuse');
    expect(await waitForRows(`SELECT 1 FROM ${database}.otel_traces WHERE TraceId = {traceId:String}`, { traceId }, 2)).toHaveLength(2);
    const [after] = await rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${database}.otel_traces`);
    expect(Number(after.n) - Number(before.n)).toBe(2);
  });
});
