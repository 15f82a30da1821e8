/**
 * The Kafka broker restarts (same port and log dir) under continuous OTLP/HTTP load: the receiver answers 503 with
 * Retry-After while Kafka cannot acknowledge, clients retry, and at the end ClickHouse holds exactly the spans the
 * receiver acknowledged, none missing.
 */
import { startClickHouse, startKafka, type ClickHouseHandle, type KafkaHandle } from '@vigil/testing';
import { ClickHouseTelemetryWriter, KafkaTelemetryBus, OtlpHttpReceiver, TRACES, type BusSubscription } from '@vigil/telemetry';
import { httpSender, migratedDatabase, runLoad, storedSpans } from './telemetry-load';

jest.setTimeout(180_000);

const FIRST_START_TIMEOUT_MS = 10 * 60_000; // the first run resolves the broker's jars

describe('telemetry through a Kafka broker restart (HTTP receiver → Kafka → ClickHouse writer on chDB)', () => {
  let kafka: KafkaHandle;
  let clickhouse: ClickHouseHandle;
  let database: string;
  let subscription: BusSubscription | undefined;

  beforeAll(async () => {
    [kafka, clickhouse] = await Promise.all([startKafka({ ignoreEnv: true, stopGraceMs: 10_000 }), startClickHouse()]);
    database = await migratedDatabase(clickhouse.client, 'vigil_kafka_restart');
  }, FIRST_START_TIMEOUT_MS);
  afterAll(async () => {
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` }).catch(() => undefined);
    await clickhouse?.stop();
    await kafka?.stop();
  });

  it('answers 503 with Retry-After while the broker is down, and stores every acknowledged span exactly once as a distinct span', async () => {
    // Ingest role: few client-level retries, so while the broker is down a publish fails (503) in about a second.
    const ingestBus = new KafkaTelemetryBus({ brokers: kafka.brokers, partitions: 2, clientId: 'vigil-kafka-restart-ingest', retryAfterSeconds: 1,
      kafka: { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } } });
    // Processor role, as deployed separately: the writer's consumer group on its own client.
    const processorBus = new KafkaTelemetryBus({ brokers: kafka.brokers, partitions: 2, clientId: 'vigil-kafka-restart-processor' });
    const writer = new ClickHouseTelemetryWriter({ client: clickhouse.client, database, flushIntervalMs: 200 });
    const receiver = new OtlpHttpReceiver({ bus: ingestBus, port: 0, host: '127.0.0.1' });
    try {
      await Promise.all([ingestBus.start(), processorBus.start(), writer.start()]);
      subscription = await processorBus.subscribe({ topics: [TRACES.topic], groupId: 'vigil-clickhouse-writer', handler: writer.handler });
      await receiver.start();

      let stopping = false;
      const load = runLoad({ clients: 4, spansPerBatch: 10, send: httpSender(receiver.url), stop: () => stopping, deadline: Date.now() + 100_000 });
      // Restart once the pipeline runs end to end (the consumer group has joined and rows arrive).
      await storedSpans(clickhouse.client, database, 1, 30_000);
      const restartStarted = Date.now();
      await kafka.restart();
      const restartMs = Date.now() - restartStarted;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      stopping = true;
      const report = await load;

      // The same subscription must carry on: KafkaTelemetryBus re-creates a consumer kafkajs crashed without restarting.
      const stored = await storedSpans(clickhouse.client, database, report.acknowledged.size, 60_000);
      const missing = [...report.acknowledged.keys()].filter((key) => !stored.distinct.has(key));
      process.stdout.write(`kafka restart (${restartMs} ms): ${report.acknowledged.size} spans acknowledged, ${stored.distinct.size} distinct / `
        + `${stored.rows} rows stored, answers ${JSON.stringify(report.statuses)} (one subscription throughout)\n`);
      expect(report.statuses['503']).toBeGreaterThan(0);
      expect(missing).toHaveLength(0);
      expect(stored.distinct.size).toBe(report.acknowledged.size);
    } finally {
      await receiver.stop();
      await subscription?.stop();
      await writer.stop({ abandon: true });
      await Promise.all([ingestBus.stop(), processorBus.stop()]);
    }
  });
});
