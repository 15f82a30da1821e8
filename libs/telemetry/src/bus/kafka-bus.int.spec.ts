import { randomBytes } from 'node:crypto';
import { startKafka, type KafkaHandle } from '@vigil/testing';
import { OTEL_LOGS_V1, OTEL_SPANS_V1, otelLogsKeyV1, otelSpansKeyV1 } from '@vigil/contracts';
import { KafkaTelemetryBus } from './kafka-bus';
import { BusBackpressureError, type BusMessage } from './telemetry-bus';

jest.setTimeout(180_000);

const FIRST_START_TIMEOUT_MS = 10 * 60_000;

describe('KafkaTelemetryBus (real broker)', () => {
  let kafka: KafkaHandle;
  let bus: KafkaTelemetryBus;
  beforeAll(async () => {
    // A private broker: the spec uses the real topic names and kills the broker.
    kafka = await startKafka({ ignoreEnv: true });
    bus = new KafkaTelemetryBus({ brokers: kafka.brokers, partitions: 4, clientId: 'vigil-telemetry-spec' });
    await bus.start();
  }, FIRST_START_TIMEOUT_MS);
  afterAll(async () => {
    await bus?.stop();
    await kafka?.stop();
  });

  const traceIds = Array.from({ length: 24 }, () => randomBytes(16).toString('hex'));

  it('co-partitions spans and logs by trace id and delivers every message to a consumer group, acking only handled batches', async () => {
    await Promise.all(traceIds.map((traceId, index) => Promise.all([
      bus.publish(OTEL_SPANS_V1, [{ key: otelSpansKeyV1(traceId), value: Buffer.from(`span-${index}`) }]),
      bus.publish(OTEL_LOGS_V1, [{ key: otelLogsKeyV1(traceId), value: Buffer.from(`log-${index}`) }]),
    ])));

    const received: BusMessage[] = [];
    let failOnce = true;
    const done = new Promise<void>((resolve) => {
      void bus.subscribe({ groupId: 'vigil-spec-processor', topics: [OTEL_SPANS_V1, OTEL_LOGS_V1], handler: async (batch) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('writer not ready'); // not acknowledged: redelivered
        }
        received.push(...batch.messages);
        if (new Set(received.map((m) => m.id)).size === traceIds.length * 2) resolve();
      } }).then((subscription) => done.finally(() => subscription.stop()));
    });
    await done;

    const ids = received.map((m) => m.id);
    expect(new Set(ids).size).toBe(traceIds.length * 2);
    const partitionOf = (topic: string, key: string) => received.find((m) => m.topic === topic && m.key === key)!.partition;
    for (const traceId of traceIds) expect(partitionOf(OTEL_LOGS_V1, traceId)).toBe(partitionOf(OTEL_SPANS_V1, traceId));
    expect(new Set(received.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it('resumes a consumer group from its committed offsets: acknowledged messages are not delivered again', async () => {
    const traceId = randomBytes(16).toString('hex');
    await bus.publish(OTEL_SPANS_V1, [{ key: traceId, value: Buffer.from('after-restart') }]);
    const received: BusMessage[] = [];
    const subscription = await bus.subscribe({ groupId: 'vigil-spec-processor', topics: [OTEL_SPANS_V1], handler: async (batch) => {
      received.push(...batch.messages);
    } });
    const deadline = Date.now() + 30_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await subscription.stop();
    expect(received.map((m) => m.value.toString())).toEqual(['after-restart']);
  });

  it('refuses with BusBackpressureError while the broker is down (so receivers answer 503), and publishes again after it returns', async () => {
    await kafka.kill();
    const started = Date.now();
    await expect(bus.publish(OTEL_SPANS_V1, [{ key: traceIds[0], value: Buffer.from('lost?') }])).rejects.toBeInstanceOf(BusBackpressureError);
    expect(Date.now() - started).toBeLessThan(60_000);
    await kafka.restart();
    let published = false;
    for (let attempt = 0; attempt < 30 && !published; attempt++) {
      published = await bus.publish(OTEL_SPANS_V1, [{ key: traceIds[0], value: Buffer.from('back') }]).then(() => true, () => false);
      if (!published) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(published).toBe(true);
  });

  it('refuses with "full" past maxPendingMessages', async () => {
    const small = new KafkaTelemetryBus({ brokers: kafka.brokers, partitions: 4, maxPendingMessages: 2, lingerMs: 50 });
    await small.start();
    try {
      const first = small.publish(OTEL_SPANS_V1, [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: Buffer.from('2') }]);
      await expect(small.publish(OTEL_SPANS_V1, [{ key: 'c', value: Buffer.from('3') }])).rejects.toMatchObject({ kind: 'full' });
      await first;
    } finally {
      await small.stop();
    }
  });
});
