import { CompressionTypes, Kafka, logLevel, Partitioners, type Consumer, type KafkaConfig, type Message, type Producer } from 'kafkajs';
import { CO_PARTITIONED_TOPICS, OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1 } from '@vigil/contracts';
import { BusBackpressureError, type BusMessage, type BusSubscription, type OutgoingMessage, type SubscribeOptions, type TelemetryBus } from './telemetry-bus';
import { PartitionCommits } from './partition-commits';

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  /** Partitions of the topics this bus creates. Spans and logs MUST share a count. Default 6. */
  partitions?: number;
  replicationFactor?: number;
  /** Topics to create (when missing) and check at start(). Default: spans, logs, metrics v1. */
  topics?: string[];
  /** Publishes arriving within this window go to Kafka together. Default 5 ms. */
  lingerMs?: number;
  /** A linger batch is sent early past this many messages. Default 2 000. */
  maxBatchMessages?: number;
  /**
   * Keys and values (plus per-record overhead) of one produce request at most, so no partition's record batch can
   * exceed the broker's message.max.bytes (1 MiB by default), which the broker refuses whole. A linger batch larger
   * than this goes out as several requests, one after another. Default 900 000.
   */
  maxRequestBytes?: number;
  /** Messages waiting for Kafka acks before publish() refuses with 'full'. Default 50 000. */
  maxPendingMessages?: number;
  /**
   * publish() refuses with 'unavailable' when Kafka has not acknowledged within this time (the broker is down, a leader
   * is moving), so a receiver answers 503 + Retry-After promptly instead of after kafkajs's own retries. Default 5 000 ms.
   */
  publishTimeoutMs?: number;
  /** Retry-After advertised under backpressure. Default 2 s. */
  retryAfterSeconds?: number;
  /**
   * Bytes a consumer fetches per partition per request. A handler that waits for its writer's flush holds a whole
   * fetch, so small fetches cap the throughput at one fetch per flush interval. Default 8 MiB (a fetch: 4×).
   */
  maxFetchBytesPerPartition?: number;
  compression?: CompressionTypes;
  /** Extra kafkajs client settings (ssl, sasl, retry, …). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/** One publish() call: settled once, by its last request's acknowledgement, a failure, or its deadline. */
interface Pending {
  topic: string;
  messages: Message[];
  /** Bytes of each message in a produce request (see messageBytes). */
  sizes: number[];
  bytes: number;
  deadline: number;
  /** Produce requests carrying part of this publish that Kafka has not acknowledged yet. */
  unacknowledgedRequests: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Part of one produce request: messages of one publish. */
interface RequestPart {
  pending: Pending;
  messages: Message[];
}

/** Bytes a record takes in a record batch besides its key and value (attributes, varint lengths, deltas), at most. */
const RECORD_OVERHEAD_BYTES = 24;

const messageBytes = (message: OutgoingMessage): number =>
  (message.key === null ? 0 : Buffer.byteLength(message.key)) + message.value.length + RECORD_OVERHEAD_BYTES;

/**
 * TelemetryBus on Apache Kafka (kafkajs). The producer is idempotent (no duplicates from its own retries), sends with
 * acks=-1 (all in-sync replicas) and batches concurrent publishes into produce requests of at most maxRequestBytes,
 * sent one at a time. publish() resolves only when Kafka has acknowledged all of its messages, so a receiver's 200
 * means the data is in the log; it refuses with 'unavailable' after publishTimeoutMs at the latest.
 *
 * After a failed or timed-out send the producer is replaced by a new one (a new producer id): kafkajs rewinds its
 * sequence numbers after a failure even for partitions the broker did write, and the same producer would then be
 * refused for ever (out-of-order sequence) or have a later batch dropped as a duplicate.
 *
 * A refused publish may have been written in part (a publish split over requests, one partition of a request
 * refused, an acknowledgement later than the deadline). Its client retries the whole publish, which lands at new
 * offsets, so the message ids (topic/partition/offset) differ and the writer's replay dedup does not recognise the
 * copy: such a retry can store a span twice, never lose one.
 *
 * Consumers are consumer groups; offsets are committed only after the handler resolved for the batch and released
 * what it held of it (PartitionCommits).
 */
export class KafkaTelemetryBus implements TelemetryBus {
  private readonly kafka: Kafka;
  private readonly options: Required<Omit<KafkaBusOptions, 'kafka' | 'clientId' | 'compression'>> & Pick<KafkaBusOptions, 'compression'>;
  private started = false;
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private readonly consumers = new Set<Consumer>();
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private queuedBytes = 0;
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
      maxRequestBytes: options.maxRequestBytes ?? 900_000,
      maxPendingMessages: options.maxPendingMessages ?? 50_000,
      publishTimeoutMs: options.publishTimeoutMs ?? 5_000,
      retryAfterSeconds: options.retryAfterSeconds ?? 2,
      maxFetchBytesPerPartition: options.maxFetchBytesPerPartition ?? 8 * 1024 * 1024,
      compression: options.compression,
    };
  }

  async start(): Promise<void> {
    await this.ensureTopics();
    this.started = true;
    try {
      await this.connectedProducer();
    } catch (error) {
      this.started = false;
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length > 0) this.flush();
    this.started = false;
    await this.sending.catch(() => undefined);
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    await this.connecting?.catch(() => undefined);
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect();
  }

  /** Messages accepted by publish() but not yet acknowledged by Kafka. */
  pendingMessages(): number {
    return this.queuedMessages + this.inFlightMessages;
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (!this.started) return Promise.reject(new BusBackpressureError('unavailable', this.options.retryAfterSeconds, 'kafka bus is not started'));
    if (this.pendingMessages() + messages.length > this.options.maxPendingMessages) {
      return Promise.reject(new BusBackpressureError('full', this.options.retryAfterSeconds,
        `kafka bus: ${this.pendingMessages()} messages await acknowledgement (limit ${this.options.maxPendingMessages})`));
    }
    const sizes = messages.map(messageBytes);
    const largest = Math.max(...sizes);
    if (largest > this.options.maxRequestBytes) {
      // Not backpressure: retrying cannot help.
      return Promise.reject(new Error(`kafka bus: a message of ${largest} bytes exceeds maxRequestBytes (${this.options.maxRequestBytes})`));
    }
    return new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + this.options.publishTimeoutMs;
      const timeout = setTimeout(() => settle(() => reject(new BusBackpressureError('unavailable', this.options.retryAfterSeconds,
        `kafka did not acknowledge within ${this.options.publishTimeoutMs} ms`))), this.options.publishTimeoutMs);
      const settle = (how: () => void) => {
        if (pending.settled) return;
        pending.settled = true;
        clearTimeout(timeout);
        how();
      };
      const pending: Pending = {
        topic,
        messages: messages.map((message) => ({ key: message.key, value: message.value })),
        sizes,
        bytes: sizes.reduce((sum, size) => sum + size, 0),
        deadline,
        unacknowledgedRequests: 0,
        settled: false,
        resolve: () => settle(resolve),
        reject: (error) => settle(() => reject(error)),
      };
      this.queue.push(pending);
      this.queuedMessages += messages.length;
      this.queuedBytes += pending.bytes;
      if (this.queuedMessages >= this.options.maxBatchMessages || this.queuedBytes >= this.options.maxRequestBytes) this.flush();
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
    this.queuedBytes = 0;
    this.inFlightMessages += count;
    // One produce request at a time keeps the idempotent producer's sequences simple; later batches linger meanwhile.
    this.sending = this.sending.then(async () => {
      try {
        for (const request of this.requestsOf(batch)) await this.send(request);
      } finally {
        this.inFlightMessages -= count;
      }
    });
  }

  /** Splits a linger batch into produce requests of at most maxRequestBytes, keeping each publish in one when it fits. */
  private requestsOf(batch: Pending[]): RequestPart[][] {
    const requests: RequestPart[][] = [];
    let current: RequestPart[] = [];
    let currentBytes = 0;
    const add = (pending: Pending, messages: Message[], bytes: number) => {
      if (currentBytes + bytes > this.options.maxRequestBytes && current.length > 0) {
        requests.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push({ pending, messages });
      currentBytes += bytes;
      pending.unacknowledgedRequests++;
    };
    for (const pending of batch) {
      if (pending.bytes <= this.options.maxRequestBytes) {
        add(pending, pending.messages, pending.bytes);
        continue;
      }
      let slice: Message[] = [];
      let sliceBytes = 0;
      for (const [index, message] of pending.messages.entries()) {
        const bytes = pending.sizes[index];
        if (sliceBytes + bytes > this.options.maxRequestBytes && slice.length > 0) {
          add(pending, slice, sliceBytes);
          slice = [];
          sliceBytes = 0;
        }
        slice.push(message);
        sliceBytes += bytes;
      }
      if (slice.length > 0) add(pending, slice, sliceBytes);
    }
    if (current.length > 0) requests.push(current);
    return requests;
  }

  /** Sends one produce request for the publishes still waiting; never outlives the latest of their deadlines. */
  private async send(request: RequestPart[]): Promise<void> {
    // A publish already refused (deadline, or an earlier request of it failed) is not sent: its client retries it.
    const parts = request.filter((part) => !part.pending.settled);
    if (parts.length === 0) return;
    const deadline = Math.max(...parts.map((part) => part.pending.deadline));
    const byTopic = new Map<string, Message[]>();
    for (const { pending, messages } of parts) {
      const list = byTopic.get(pending.topic);
      if (list) list.push(...messages);
      else byTopic.set(pending.topic, [...messages]);
    }
    let producer: Producer | null = null;
    try {
      const connected = await withTimeout(deadline - Date.now(), () => this.connectedProducer());
      producer = connected;
      await withTimeout(deadline - Date.now(), () => connected.sendBatch({
        acks: -1,
        compression: this.options.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      }));
      for (const { pending } of parts) if (--pending.unacknowledgedRequests === 0) pending.resolve();
    } catch (error) {
      if (producer !== null && producer === this.producer) this.discardProducer();
      const failure = new BusBackpressureError('unavailable', this.options.retryAfterSeconds, error instanceof TimeoutError
        ? `kafka did not acknowledge within ${this.options.publishTimeoutMs} ms`
        : `kafka send failed: ${(error as Error).message}`);
      for (const { pending } of parts) pending.reject(failure);
    }
  }

  /** The producer, or a new one once connected; concurrent callers share one connection attempt. */
  private connectedProducer(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.started) return Promise.reject(new Error('kafka bus stopped'));
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner, // murmur2 on the key, as the Java client: co-partitioning holds
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      } finally {
        this.connecting = null;
      }
      if (!this.started) {
        await producer.disconnect().catch(() => undefined);
        throw new Error('kafka bus stopped');
      }
      this.producer = producer;
      return producer;
    })();
    return this.connecting;
  }

  /** Drops the producer after a failed send; the next send connects a new one (a new producer id, fresh sequences). */
  private discardProducer(): void {
    const producer = this.producer;
    this.producer = null;
    void producer?.disconnect().catch(() => undefined);
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
      const consumer = this.kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        maxBytesPerPartition: this.options.maxFetchBytesPerPartition,
        maxBytes: this.options.maxFetchBytesPerPartition * 4,
      });
      current = consumer;
      this.consumers.add(consumer);
      consumer.on(consumer.events.CRASH, (event: { payload: { restart?: boolean } }) => {
        if (event.payload.restart !== false || stopped) return;
        this.consumers.delete(consumer);
        restartLater(1_000);
      });
      // Offsets are committed by hand: a batch whose handler still holds part of it is committed once released.
      // Through eachBatch's commitOffsetsIfNecessary(offsets), not consumer.commitOffsets: kafkajs's runner skips the
      // latter once stop() began (runner.js commitOffsets: `if (!this.running) return`), so the last batches handled
      // before a stop would be delivered again; the former commits for the group generation the batch came in.
      let commitVia: ((offsets: { topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }) => Promise<void>) | null = null;
      const commits = new PartitionCommits(async (offsets) => {
        const topics = [...new Set(offsets.map((entry) => entry.topic))]
          .map((topic) => ({ topic, partitions: offsets.filter((entry) => entry.topic === topic).map(({ partition, offset }) => ({ partition, offset })) }));
        await commitVia?.({ topics });
      });
      consumer.on(consumer.events.GROUP_JOIN, () => commits.reset());
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run({
        // Every assigned partition's batch at once: a handler waiting for its writer's flush holds only its own.
        partitionsConsumedConcurrently: options.topics.length * this.options.partitions,
        eachBatchAutoResolve: false,
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const generation = commits.generation;
          commitVia = commitOffsetsIfNecessary;
          const messages: BusMessage[] = batch.messages.map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            key: message.key ? message.key.toString('utf8') : null,
            value: message.value ?? Buffer.alloc(0),
            id: `${batch.topic}/${batch.partition}/${message.offset}`,
          }));
          // A throw here leaves the offset unresolved: kafkajs seeks back and the batch is redelivered.
          const outcome = await options.handler({ topic: batch.topic, partition: batch.partition, messages });
          const lastOffset = batch.messages[batch.messages.length - 1].offset;
          // Resolving moves the fetch position on (the partition keeps flowing); committing waits for the release.
          resolveOffset(lastOffset);
          await commits.track(generation, batch.topic, batch.partition, lastOffset, outcome?.release);
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

class TimeoutError extends Error {}

/** Runs `work`, rejecting with a TimeoutError after `ms` (the work itself goes on; its outcome is ignored). */
function withTimeout<T>(ms: number, work: () => Promise<T>): Promise<T> {
  if (ms <= 0) return Promise.reject(new TimeoutError());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError()), ms);
    work().then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
