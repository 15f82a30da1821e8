import { randomBytes } from 'node:crypto';
import { startKafka, type KafkaHandle } from '@vigil/testing';
import { OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, otelLogsKeyV1, otelSpansKeyV1 } from '@vigil/contracts';
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

  it('commits a batch the handler held only once it is released: the partition flows meanwhile, a restart before the release delivers it again, after it does not', async () => {
    const key = randomBytes(16).toString('hex');
    const groupId = 'vigil-spec-held';
    const heldValues = (values: string[]) => values.filter((value) => value.startsWith('held-'));
    const waitFor = async (values: string[], expected: string[]) => {
      const deadline = Date.now() + 30_000;
      while (!expected.every((value) => values.includes(value)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heldValues(values)).toEqual(expect.arrayContaining(expected));
    };

    // 1: every batch is held and never released; the next batch of the same partition still arrives.
    const first: string[] = [];
    const never = new Promise<void>(() => {});
    const holding = await bus.subscribe({ groupId, topics: [OTEL_SPANS_V1], handler: async (batch) => {
      first.push(...batch.messages.map((message) => message.value.toString()));
      return { release: never };
    } });
    await bus.publish(OTEL_SPANS_V1, [{ key, value: Buffer.from('held-1') }]);
    await waitFor(first, ['held-1']);
    await bus.publish(OTEL_SPANS_V1, [{ key, value: Buffer.from('held-2') }]);
    await waitFor(first, ['held-1', 'held-2']);
    await holding.stop();

    // 2: a restart gets both again (nothing was committed); released 300 ms after each batch this time.
    const second: string[] = [];
    const releasing = await bus.subscribe({ groupId, topics: [OTEL_SPANS_V1], handler: async (batch) => {
      second.push(...batch.messages.map((message) => message.value.toString()));
      return { release: new Promise<void>((resolve) => setTimeout(resolve, 300)) };
    } });
    await waitFor(second, ['held-1', 'held-2']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await releasing.stop();

    // 3: after the release nothing is delivered again; only what is new.
    const third: string[] = [];
    const after = await bus.subscribe({ groupId, topics: [OTEL_SPANS_V1], handler: async (batch) => {
      third.push(...batch.messages.map((message) => message.value.toString()));
    } });
    await bus.publish(OTEL_SPANS_V1, [{ key, value: Buffer.from('held-3') }]);
    await waitFor(third, ['held-3']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await after.stop();
    expect(third).toEqual(['held-3']);
  });

  it('sends a linger window larger than the broker\'s message.max.bytes as several requests, every publish acknowledged once', async () => {
    // 48 publishes of 20 × 10 KiB (an OTLP request's spans are about that) arrive together: ~10 MB, beyond the
    // broker's 1 MiB per partition batch.
    const publishes = Array.from({ length: 48 }, (_, p) => Array.from({ length: 20 }, (_, m) => ({
      key: randomBytes(16).toString('hex'), value: Buffer.concat([Buffer.from(`big-${p}-${m}:`), randomBytes(10 * 1_024)]),
    })));
    await Promise.all(publishes.map((messages) => bus.publish(OTEL_METRICS_V1, messages)));

    const values = await consumeValues(bus, OTEL_METRICS_V1, 'vigil-spec-large-window', (received) => received.length >= 960);
    expect(values.filter((value) => value.startsWith('big-'))).toHaveLength(960);
    expect(new Set(values).size).toBe(values.length);
  });

  it('stores what is published after a send the broker refused in part (the next send uses a new producer)', async () => {
    // maxRequestBytes above the broker's limit: the oversized message's partition is refused, the others are written.
    const loose = new KafkaTelemetryBus({ brokers: kafka.brokers, partitions: 4, topics: [OTEL_LOGS_V1], maxRequestBytes: 4_000_000, lingerMs: 50 });
    await loose.start();
    try {
      const keys = Array.from({ length: 8 }, (_, index) => `trace-${index}`);
      const small = (round: string) => keys.map((key) => ({ key, value: Buffer.from(`${round}-${key}`) }));
      const refused = await Promise.allSettled([
        loose.publish(OTEL_LOGS_V1, [{ key: 'oversized', value: randomBytes(1_500_000) }]),
        loose.publish(OTEL_LOGS_V1, small('first')),
      ]);
      expect(refused.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      // The same keys and counts again: with the old producer's rewound sequences the broker would take these for
      // duplicates of the written part (acknowledged, not stored) or refuse them as out of order.
      await loose.publish(OTEL_LOGS_V1, small('second'));

      const values = await consumeValues(loose, OTEL_LOGS_V1, 'vigil-spec-after-partial-failure',
        (received) => keys.every((key) => received.includes(`second-${key}`)), 20_000);
      expect(keys.filter((key) => !values.includes(`second-${key}`))).toEqual([]);
    } finally {
      await loose.stop();
    }
  });

  it('refuses with BusBackpressureError within publishTimeoutMs while the broker is down (so receivers answer 503), and publishes again after it returns', async () => {
    const bounded = new KafkaTelemetryBus({ brokers: kafka.brokers, partitions: 4, clientId: 'vigil-telemetry-spec-bounded', publishTimeoutMs: 2_000 });
    await bounded.start();
    try {
      await kafka.kill();
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = Date.now();
        await expect(bounded.publish(OTEL_SPANS_V1, [{ key: traceIds[0], value: Buffer.from('lost?') }])).rejects.toBeInstanceOf(BusBackpressureError);
        expect(Date.now() - started).toBeLessThan(2_000 + 1_000);
      }
      await kafka.restart();
      let published = false;
      for (let attempt = 0; attempt < 30 && !published; attempt++) {
        published = await bounded.publish(OTEL_SPANS_V1, [{ key: traceIds[0], value: Buffer.from('back') }]).then(() => true, () => false);
        if (!published) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      expect(published).toBe(true);
      // Not a lucky one: the bus keeps publishing on the producer it re-created.
      for (let index = 0; index < 5; index++) await bounded.publish(OTEL_SPANS_V1, [{ key: traceIds[index], value: Buffer.from(`again-${index}`) }]);
    } finally {
      await bounded.stop();
    }
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

/** Values delivered to a new consumer group of `topic` from the beginning, once `enough` holds (or `timeoutMs` passed). */
async function consumeValues(bus: KafkaTelemetryBus, topic: string, groupId: string, enough: (values: string[]) => boolean, timeoutMs = 60_000): Promise<string[]> {
  const values: string[] = [];
  const subscription = await bus.subscribe({ groupId, topics: [topic], handler: async (batch) => {
    values.push(...batch.messages.map((message) => message.value.toString('utf8', 0, 64).split(':')[0]));
  } });
  try {
    const deadline = Date.now() + timeoutMs;
    while (!enough(values) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return values;
  } finally {
    await subscription.stop();
  }
}
