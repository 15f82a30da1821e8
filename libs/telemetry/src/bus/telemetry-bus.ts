/** A message as published: the contract's key and encoded value. */
export interface OutgoingMessage {
  readonly key: string | null;
  /** The encoded value: what Kafka stores. A publisher may encode it on first read (see `decoded`). */
  readonly value: Buffer;
  /**
   * The value before encoding, when the publisher has it. The in-process bus hands it to its consumer instead of the
   * bytes, so nothing is encoded and decoded again within one process (≈ 18 µs a span, bench/ingest/README.md). The
   * consumer owns it then and may modify it; a handler it is redelivered to must cope with its own changes.
   */
  readonly decoded?: unknown;
}

/** A message as delivered to a subscriber. */
export interface BusMessage extends OutgoingMessage {
  topic: string;
  partition: number;
  /** Stable across redeliveries of the same message (Kafka: topic/partition/offset; in-process: topic/sequence). */
  id: string;
}

export interface DeliveredBatch {
  topic: string;
  partition: number;
  messages: BusMessage[];
}

/**
 * Resolving means the batch is processed (e.g. durably written) and the bus may deliver the next; rejecting (or never
 * resolving) means it is redelivered: nothing is acknowledged before it is done. A handler that still holds part of
 * the batch in memory (spans awaiting a tail-sampling decision) resolves with `release`: the batch is acknowledged
 * only once that resolves (Kafka: its offset is committed then, in partition order; a crash before redelivers it).
 */
export type BatchHandler = (batch: DeliveredBatch) => Promise<BatchOutcome>;

/** void: the batch is done. */
export type BatchOutcome = void | { readonly release: Promise<void> };

export interface SubscribeOptions {
  topics: string[];
  /** Consumer group: each group sees every message once; instances of one group share the partitions. */
  groupId: string;
  handler: BatchHandler;
}

export interface BusSubscription {
  stop(): Promise<void>;
}

/**
 * Thrown by publish() when the bus cannot take the batch now. Receivers answer 429 ('full': shed load, retry later)
 * or 503 ('unavailable': the broker is down) with Retry-After, or gRPC UNAVAILABLE with RetryInfo.
 */
export class BusBackpressureError extends Error {
  constructor(readonly kind: 'full' | 'unavailable', readonly retryAfterSeconds: number, detail: string) {
    super(detail);
    this.name = 'BusBackpressureError';
  }
}

/**
 * The telemetry bus port. publish() resolves only once the bus holds the batch (in-process: queued in bounded memory;
 * Kafka: acknowledged by all in-sync replicas), so a receiver may acknowledge its client then.
 */
export interface TelemetryBus {
  start(): Promise<void>;
  stop(): Promise<void>;
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<BusSubscription>;
}
