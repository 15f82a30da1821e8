/**
 * ClickHouse inserts fail for a while under continuous load from OTLP/HTTP and OTLP/gRPC clients: the writer keeps
 * retrying without acknowledging, the in-process bus fills, both receivers push back (429 / UNAVAILABLE with
 * RetryInfo), clients retry, and once ClickHouse is back every acknowledged span is stored.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { startClickHouse, type ClickHouseHandle } from '@vigil/testing';
import {
  ClickHouseTelemetryWriter, InProcessTelemetryBus, OtlpGrpcReceiver, OtlpHttpReceiver, TRACES, type BusSubscription,
} from '@vigil/telemetry';
import { RawCollectorClient } from '../../libs/telemetry/src/receivers/otlp-grpc/grpc-test-client';
import { grpcSender, httpSender, migratedDatabase, runLoad, storedSpans, type LoadReport } from './telemetry-load';

jest.setTimeout(120_000);

const OUTAGE_MS = 5_000;

/** The client whose insert() throws while `failing()` is true; everything else passes through. */
function flakyInserts(client: ClickHouseClient, failing: () => boolean): ClickHouseClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'insert') {
        return (params: Parameters<ClickHouseClient['insert']>[0]) => (failing() ? Promise.reject(new Error('ClickHouse unavailable (spec outage)')) : target.insert(params));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('telemetry under a ClickHouse outage (in-process bus, chDB)', () => {
  let clickhouse: ClickHouseHandle;
  let database: string;

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    database = await migratedDatabase(clickhouse.client, 'vigil_writer_outage');
  });
  afterAll(async () => {
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` }).catch(() => undefined);
    await clickhouse?.stop();
  });

  it('pushes back with 429 and UNAVAILABLE while inserts fail, and loses no acknowledged span', async () => {
    let outageUntil = 0;
    const bus = new InProcessTelemetryBus({ capacity: 200, retryAfterSeconds: 1 });
    const writer = new ClickHouseTelemetryWriter({
      client: flakyInserts(clickhouse.client, () => Date.now() < outageUntil), database, flushIntervalMs: 100, retryInitialDelayMs: 100, retryMaxDelayMs: 500,
    });
    const http = new OtlpHttpReceiver({ bus, port: 0, host: '127.0.0.1' });
    const grpc = new OtlpGrpcReceiver({ bus, port: 0, host: '127.0.0.1' });
    let subscription: BusSubscription | undefined;
    let client: RawCollectorClient | undefined;
    try {
      await writer.start();
      subscription = await bus.subscribe({ topics: [TRACES.topic], groupId: 'vigil-clickhouse-writer', handler: writer.handler });
      await Promise.all([http.start(), grpc.start()]);
      client = new RawCollectorClient(grpc.address);

      let stopping = false;
      const deadline = Date.now() + 80_000;
      const report: LoadReport = { acknowledged: new Map(), statuses: {} };
      const load = Promise.all([
        runLoad({ clients: 3, spansPerBatch: 10, send: httpSender(http.url), stop: () => stopping, deadline, report }),
        runLoad({ clients: 3, spansPerBatch: 10, send: grpcSender(client), stop: () => stopping, deadline, report }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      outageUntil = Date.now() + OUTAGE_MS;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS + 3_000));
      stopping = true;
      await load;

      const stored = await storedSpans(clickhouse.client, database, report.acknowledged.size, 30_000);
      const missing = [...report.acknowledged.keys()].filter((key) => !stored.distinct.has(key));
      process.stdout.write(`writer outage: ${report.acknowledged.size} spans acknowledged, ${stored.distinct.size} distinct / ${stored.rows} rows stored, `
        + `answers ${JSON.stringify(report.statuses)}, failed inserts ${writer.stats.failedInserts}\n`);
      expect(writer.stats.failedInserts).toBeGreaterThan(0);
      expect(report.statuses['429']).toBeGreaterThan(0);
      expect(report.statuses.UNAVAILABLE).toBeGreaterThan(0);
      expect(missing).toEqual([]);
      expect(stored.distinct.size).toBe(report.acknowledged.size);
    } finally {
      client?.close();
      await Promise.all([http.stop(), grpc.stop()]);
      await subscription?.stop();
      await writer.stop({ abandon: true });
      await bus.stop();
    }
  });
});
