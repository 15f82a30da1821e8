import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startKafka, type KafkaHandle } from '@vigil/testing';

// Jest ignores testTimeout inside `projects` entries (only the top-level value is read), so int specs set their own.
jest.setTimeout(120_000);

// Jar resolution from Maven Central may run on a machine's first Kafka spec; .ci/run does it up front.
const FIRST_START_TIMEOUT_MS = 10 * 60_000;

describe('Kafka', () => {
  let kafka: KafkaHandle;
  beforeAll(async () => {
    kafka = await startKafka();
  }, FIRST_START_TIMEOUT_MS);
  afterAll(() => kafka?.stop());

  const client = () => new Kafka({ clientId: 'vigil-testing-spec', brokers: kafka.brokers, logLevel: logLevel.NOTHING });

  /** Produces `count` keyed messages with an idempotent, acks=all producer and reads them back through a consumer group. */
  async function roundTrip(topic: string, count: number): Promise<string[]> {
    const producer = client().producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const messages = Array.from({ length: count }, (_, index) => ({ key: `aggregate-${index % 4}`, value: `event-${index}` }));
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }

    const consumer = client().consumer({ groupId: `vigil-spec-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer.run({
          eachMessage: async ({ message }) => {
            received.push(message.value?.toString() ?? '');
            if (received.length === count) resolve();
          },
        }).catch(reject);
      });
      return received;
    } finally {
      await consumer.disconnect();
    }
  }

  it('is a real broker: a created topic round-trips messages through a consumer group', async () => {
    const topic = `vigil-spec-${randomUUID()}`;
    const admin = client().admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const received = await roundTrip(topic, 20);
    expect([...received].sort()).toEqual(Array.from({ length: 20 }, (_, index) => `event-${index}`).sort());
  });

  it('keeps its ports and data across restart()', async () => {
    if (kafka.external) return; // KAFKA_BROKERS points at a broker this run does not own
    const topic = `vigil-spec-${randomUUID()}`;
    await roundTrip(topic, 5);
    const brokers = kafka.brokers;

    await kafka.restart();

    expect(kafka.brokers).toEqual(brokers);
    const admin = client().admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }
    expect(await roundTrip(topic, 10)).toHaveLength(10);
  });
});
