import { randomBytes } from 'node:crypto';
import { startClickHouse, waitFor, type ClickHouseHandle } from '@vigil/testing';
import { TelemetryPipeline } from '@vigil/telemetry';
import { OtlpHttpSender, replayScenario, Scenario, type ChangeEventBody } from './index';

describe('replayScenario into the real OTLP/HTTP receiver → bus → ClickHouse (chDB)', () => {
  let clickhouse: ClickHouseHandle;
  let pipeline: TelemetryPipeline;
  const database = `scenarios_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    await clickhouse.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    pipeline = new TelemetryPipeline({ clickhouse: clickhouse.client, receiver: { port: 0, host: '127.0.0.1' }, writer: { flushIntervalMs: 100 }, schema: { database } });
    await pipeline.start();
  });

  afterAll(async () => {
    await pipeline?.stop();
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await clickhouse?.stop();
  });

  it('sends time-compressed history then live seconds; every span, log and the bad deploy lands with past timestamps', async () => {
    const start = Date.now();
    const scenario = new Scenario({ seed: 3, tracesPerSecond: 5, fault: { kind: 'bad-deploy', at: start - 60_000 } });
    const sender = new OtlpHttpSender({ baseUrl: pipeline.receiver!.url, connections: 4 });
    const changes: ChangeEventBody[] = [];
    const sent = await replayScenario({ scenario, sender, historyMs: 180_000, liveMs: 2_500, postChange: async (event) => void changes.push(event) });
    sender.close();

    const count = async (query: string) => Number((await (await clickhouse.client.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);
    // Acknowledged means on the bus; the writer commits it shortly after.
    await waitFor(async () => (await count(`SELECT count() AS n FROM ${database}.otel_traces`)) >= sent.spans, { what: 'every acknowledged span in otel_traces', timeoutMs: 30_000, intervalMs: 200 });
    expect(await count(`SELECT count() AS n FROM ${database}.otel_traces`)).toBe(sent.spans);
    // Logs travel their own topic and flush on their own: wait for them as for the spans.
    await waitFor(async () => (await count(`SELECT count() AS n FROM ${database}.otel_logs`)) >= sent.logs, { what: 'every acknowledged log in otel_logs', timeoutMs: 30_000, intervalMs: 200 });
    expect(await count(`SELECT count() AS n FROM ${database}.otel_logs`)).toBe(sent.logs);
    expect(sent.spans).toBeGreaterThan(3_000);
    expect(await count(`SELECT count() AS n FROM ${database}.otel_traces WHERE Timestamp < now64() - INTERVAL 150 SECOND`)).toBeGreaterThan(0);
    expect(await count(`SELECT count() AS n FROM ${database}.otel_traces WHERE ServiceName = 'payment' AND StatusCode = 'Error' AND SpanAttributes['payment_provider'] = 'stripe_v3'`)).toBeGreaterThan(10);
    expect(changes.map((event) => event.revision)).toEqual(['v1.9.0']);
  });
});
