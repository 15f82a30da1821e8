import { CompressionTypes, Kafka, logLevel, Partitioners, type Consumer, type KafkaConfig, type Message, type Producer } from 'kafkajs';
import { CO_PARTITIONED_TOPICS, OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1 } from '@vigil/contracts';
import { BusBackpressureError, type BusMessage, type BusSubscription, type OutgoingMessage, type SubscribeOptions, type TelemetryBus } from './telemetry-bus';

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  /** Partitions of the topics this bus creates. Spans and logs MUST share a count. Default 6. */
  partitions?: number;
  replicationFactor?: number;
  /** Topics to create (when missing) and check at start(). Default: spans, logs, metrics v1. */
  topics?: string[];
  /** Publishes arriving within this window go to Kafka as one sendBatch. Default 5 ms. */
  lingerMs?: number;
  /** A linger batch is sent early past this many messages. Default 2 000. */
  maxBatchMessages?: number;
  /** Messages waiting for Kafka acks before publish() refuses with 'full'. Default 50 000. */
  maxPendingMessages?: number;
  /** Retry-After advertised under backpressure. Default 2 s. */
  retryAfterSeconds?: number;
  compression?: CompressionTypes;
  /** Extra kafkajs client settings (ssl, sasl, retry, …). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

interface Pending {
  topic: string;
  messages: Message[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * TelemetryBus on Apache Kafka (kafkajs). The producer is idempotent (no duplicates from its own retries), sends with
 * acks=-1 (all in-sync replicas) and batches concurrent publishes into one sendBatch per linger window. publish()
 * resolves only when Kafka has acknowledged the batch, so a receiver's 200 means the data is in the log. Consumers
 * are consumer groups; offsets are committed only after the handler resolved for the batch.
 */
export class KafkaTelemetryBus implements TelemetryBus {
  private readonly kafka: Kafka;
  private readonly options: Required<Omit<KafkaBusOptions, 'kafka' | 'clientId' | 'compression'>> & Pick<KafkaBusOptions, 'compression'>;
  private producer: Producer | null = null;
  private readonly consumers = new Set<Consumer>();
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private inFlightMessages = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(options: KafkaBusOptions) {
    this.kafka = new Kafka({ logLevel: logLevel.NOTHING, ...options.kafka, clientId: options.clientId ?? 'vigil-telemetry', brokers: options.brokers });
    this.options = {
      brokers: options.brokers,
      partitions: options.partitions ?? 6,
      replicationFactor: options.replicationFactor ?? 1,
      topics: options.topics ?? [OTEL_SPANS_V1, OTEL_LOGS_V1, OTEL_METRICS_V1],
      lingerMs: options.lingerMs ?? 5,
      maxBatchMessages: options.maxBatchMessages ?? 2_000,
      maxPendingMessages: options.maxPendingMessages ?? 50_000,
      retryAfterSeconds: options.retryAfterSeconds ?? 2,
      compression: options.compression,
    };
  }

  async start(): Promise<void> {
    await this.ensureTopics();
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner, // murmur2 on the key, as the Java client: co-partitioning holds
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    await producer.connect();
    this.producer = producer;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length > 0) this.flush();
    await this.sending.catch(() => undefined);
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    await this.producer?.disconnect();
    this.producer = null;
  }

  /** Messages accepted by publish() but not yet acknowledged by Kafka. */
  pendingMessages(): number {
    return this.queuedMessages + this.inFlightMessages;
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (!this.producer) return Promise.reject(new BusBackpressureError('unavailable', this.options.retryAfterSeconds, 'kafka bus is not started'));
    if (this.pendingMessages() + messages.length > this.options.maxPendingMessages) {
      return Promise.reject(new BusBackpressureError('full', this.options.retryAfterSeconds,
        `kafka bus: ${this.pendingMessages()} messages await acknowledgement (limit ${this.options.maxPendingMessages})`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages: messages.map((message) => ({ key: message.key, value: message.value })), resolve, reject });
      this.queuedMessages += messages.length;
      if (this.queuedMessages >= this.options.maxBatchMessages) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    const count = this.queuedMessages;
    this.queue = [];
    this.queuedMessages = 0;
    this.inFlightMessages += count;
    // One sendBatch at a time keeps the idempotent producer's sequence simple; later batches linger meanwhile.
    this.sending = this.sending.then(async () => {
      const byTopic = new Map<string, Message[]>();
      for (const pending of batch) {
        const list = byTopic.get(pending.topic);
        if (list) list.push(...pending.messages);
        else byTopic.set(pending.topic, [...pending.messages]);
      }
      try {
        if (!this.producer) throw new Error('kafka bus stopped');
        await this.producer.sendBatch({
          acks: -1,
          compression: this.options.compression,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        for (const pending of batch) pending.resolve();
      } catch (error) {
        const failure = new BusBackpressureError('unavailable', this.options.retryAfterSeconds, `kafka send failed: ${(error as Error).message}`);
        for (const pending of batch) pending.reject(failure);
      } finally {
        this.inFlightMessages -= count;
      }
    });
  }

  /**
   * Runs a consumer of the group. kafkajs gives up on some errors (a broker restart: "coordinator is loading",
   * "group coordinator not found") by crashing the consumer with `restart: false`; the subscription then starts a
   * new consumer on the same group (committed offsets: nothing unacknowledged is skipped) with backoff until one runs.
   */
  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    let stopped = false;
    let current: Consumer | null = null;
    let retry: NodeJS.Timeout | null = null;
    const start = async (): Promise<void> => {
      const consumer = this.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
      current = consumer;
      this.consumers.add(consumer);
      consumer.on(consumer.events.CRASH, (event: { payload: { restart?: boolean } }) => {
        if (event.payload.restart !== false || stopped) return;
        this.consumers.delete(consumer);
        restartLater(1_000);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const messages: BusMessage[] = batch.messages.map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            key: message.key ? message.key.toString('utf8') : null,
            value: message.value ?? Buffer.alloc(0),
            id: `${batch.topic}/${batch.partition}/${message.offset}`,
          }));
          // A throw here leaves the offset unresolved: kafkajs seeks back and the batch is redelivered.
          await options.handler({ topic: batch.topic, partition: batch.partition, messages });
          resolveOffset(batch.messages[batch.messages.length - 1].offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        },
      });
    };
    const restartLater = (delayMs: number): void => {
      if (stopped || retry) return;
      retry = setTimeout(() => {
        retry = null;
        const failed = current;
        void (failed ? failed.disconnect().catch(() => undefined) : Promise.resolve())
          .then(() => (stopped ? undefined : start()))
          .catch(() => restartLater(Math.min(delayMs * 2, 30_000)));
      }, delayMs);
    };
    await start();
    return {
      stop: async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        const consumer = current;
        if (consumer) {
          this.consumers.delete(consumer);
          await consumer.disconnect();
        }
      },
    };
  }

  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = this.options.topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions, replicationFactor: this.options.replicationFactor })),
        });
      }
      const coPartitioned = this.options.topics.filter((topic) => (CO_PARTITIONED_TOPICS as readonly string[]).includes(topic));
      if (coPartitioned.length > 1) {
        const metadata = await admin.fetchTopicMetadata({ topics: coPartitioned });
        const counts = new Set(metadata.topics.map((topic) => topic.partitions.length));
        if (counts.size > 1) {
          throw new Error(`kafka bus: ${coPartitioned.join(' and ')} must have the same partition count (found ${[...counts].join(', ')})`);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }
}
