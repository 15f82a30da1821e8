import { BusBackpressureError, type BatchHandler, type BusMessage, type BusSubscription, type OutgoingMessage, type SubscribeOptions, type TelemetryBus } from './telemetry-bus';

export interface InProcessBusOptions {
  /** Messages a topic may hold per consumer group (queued + being handled) before publish() refuses. Default 10 000. */
  capacity?: number;
  /** Messages handed to a handler at once. Default 1 000. */
  maxBatchMessages?: number;
  /** Handler calls in flight per group and topic. Default 4. */
  maxInFlightBatches?: number;
  /** Retry-After advertised when full. Default 1 s. */
  retryAfterSeconds?: number;
  /** Wait before redelivering a batch whose handler failed. Default 500 ms. */
  redeliveryDelayMs?: number;
}

interface GroupQueue {
  groupId: string;
  queue: BusMessage[];
  inFlight: number;
  inFlightMessages: number;
  handler: BatchHandler | null;
  stopped: boolean;
  idle: Set<() => void>;
}

interface TopicState {
  sequence: number;
  /** Held until the first group subscribes (like a Kafka topic's retention). */
  unclaimed: BusMessage[];
  groups: Map<string, GroupQueue>;
}

/**
 * The embedded default bus: bounded in-memory queues with the same contract as Kafka (consumer groups, ack after the
 * handler resolves, redelivery on failure). When a group's backlog reaches `capacity`, publish() throws
 * BusBackpressureError('full') so receivers push back on their clients instead of growing memory.
 *
 * A handler's `release` (part of the batch still held in its memory) is not waited for: here publishing is the
 * acknowledgement, in memory either way, and the handler bounds what it holds (TailSampler's maxHeldSpans).
 */
export class InProcessTelemetryBus implements TelemetryBus {
  private readonly topics = new Map<string, TopicState>();
  private readonly capacity: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly retryAfterSeconds: number;
  private readonly redeliveryDelayMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: InProcessBusOptions = {}) {
    this.capacity = options.capacity ?? 10_000;
    this.maxBatch = options.maxBatchMessages ?? 1_000;
    this.maxInFlight = options.maxInFlightBatches ?? 4;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 500;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const topic of this.topics.values()) for (const group of topic.groups.values()) group.stopped = true;
  }

  /** Messages a topic holds for its fullest group (or unclaimed). */
  backlog(topic: string): number {
    const state = this.topics.get(topic);
    if (!state) return 0;
    let max = state.unclaimed.length;
    for (const group of state.groups.values()) max = Math.max(max, group.queue.length + group.inFlightMessages);
    return max;
  }

  /** True when a publish of `count` messages to `topic` would be refused. */
  isFull(topic: string, count = 1): boolean {
    return this.backlog(topic) + count > this.capacity;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.isFull(topic, messages.length)) {
      throw new BusBackpressureError('full', this.retryAfterSeconds, `in-process bus: ${topic} holds ${this.backlog(topic)} of ${this.capacity} messages`);
    }
    const state = this.topicState(topic);
    const ids = messages.map(() => `${topic}/0/${state.sequence++}`);
    // The publisher's decoded value goes to one consumer only: consumers may modify it. Others decode the bytes.
    const delivered = (withDecoded: boolean) => messages.map((message, i) => new InProcessMessage(topic, ids[i], message, withDecoded));
    if (state.groups.size === 0) state.unclaimed.push(...delivered(true));
    // Every group's messages before any handler runs: the first may change the decoded value synchronously.
    const groups = [...state.groups.values()].map((group, index) => ({ group, messages: delivered(index === 0) }));
    for (const { group, messages: queued } of groups) {
      group.queue.push(...queued);
      this.pump(topic, group);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    const groups: GroupQueue[] = [];
    for (const topic of options.topics) {
      const state = this.topicState(topic);
      let group = state.groups.get(options.groupId);
      if (!group) {
        group = { groupId: options.groupId, queue: [], inFlight: 0, inFlightMessages: 0, handler: null, stopped: false, idle: new Set() };
        if (state.groups.size === 0) group.queue.push(...state.unclaimed.splice(0));
        state.groups.set(options.groupId, group);
      }
      if (group.handler) throw new Error(`in-process bus: group ${options.groupId} already consumes ${topic}`);
      group.handler = options.handler;
      group.stopped = false;
      groups.push(group);
      this.pump(topic, group);
    }
    return {
      stop: async () => {
        // The group keeps its queue (like a Kafka group's committed offset): a new subscriber resumes from it.
        for (const group of groups) {
          group.handler = null;
          group.stopped = true;
        }
        await Promise.all(groups.map((group) => group.inFlight === 0 ? undefined : new Promise<void>((resolve) => group.idle.add(resolve))));
      },
    };
  }

  private topicState(topic: string): TopicState {
    let state = this.topics.get(topic);
    if (!state) {
      state = { sequence: 0, unclaimed: [], groups: new Map() };
      this.topics.set(topic, state);
    }
    return state;
  }

  private pump(topic: string, group: GroupQueue): void {
    while (!group.stopped && group.handler && group.inFlight < this.maxInFlight && group.queue.length > 0) {
      const batch = group.queue.splice(0, this.maxBatch);
      const handler = group.handler;
      group.inFlight++;
      group.inFlightMessages += batch.length;
      handler({ topic, partition: 0, messages: batch }).then(
        () => this.settle(topic, group, batch, true),
        () => this.settle(topic, group, batch, false),
      );
    }
  }

  private settle(topic: string, group: GroupQueue, batch: BusMessage[], ok: boolean): void {
    group.inFlight--;
    group.inFlightMessages -= batch.length;
    if (!ok) {
      // Not acknowledged: back to the head of the queue, redelivered after a pause.
      group.queue.unshift(...batch);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.pump(topic, group);
      }, this.redeliveryDelayMs);
      this.timers.add(timer);
    }
    if (group.inFlight === 0) {
      for (const resolve of group.idle) resolve();
      group.idle.clear();
    }
    if (ok) this.pump(topic, group);
  }
}

/** A published message as a consumer gets it: the bytes only when read (the publisher may encode them lazily). */
class InProcessMessage implements BusMessage {
  readonly partition = 0;
  readonly key: string | null;
  readonly decoded?: unknown;

  private bytes: Buffer | null = null;

  constructor(readonly topic: string, readonly id: string, private readonly published: OutgoingMessage, withDecoded: boolean) {
    this.key = published.key;
    if (withDecoded && published.decoded !== undefined) this.decoded = published.decoded;
    // The bytes now, before the consumer that owns the decoded value can change it.
    else this.bytes = published.value;
  }

  get value(): Buffer {
    this.bytes ??= this.published.value;
    return this.bytes;
  }
}
