/**
 * TEST SUPPORT ONLY (not exported from the package): an in-memory stand-in for the parts of
 * `@eventstore/db-client` that EventStoreDbEventStore calls, modelled on the server behaviour the adapter relies on:
 * - one log with increasing positions (commit = prepare = log position, as for non-transactional writes);
 * - system records interleaved with user events ($> links into `$ce-*`, `$statsCollected` into `$stats-*`);
 * - `appendToStream` checks the expected revision, rejects with the client's `WrongExpectedVersionError`, and treats
 *   a retry of the same event ids at the same versions as an idempotent success (nothing written);
 * - `readStream` emits the client's `StreamNotFoundError` for a missing stream and reports `$all` positions (22.6+);
 * - `readAll` forwards is inclusive of `fromPosition`, backwards exclusive;
 * - `subscribeToAll` starts strictly after `fromPosition`, applies the event-type filter, then stays live;
 *   `unsubscribe()` stops delivery but does NOT end the stream (the adapter must not wait for it to end).
 * It proves the adapter's logic against those assumptions, not the assumptions themselves: only a real server can.
 */
import { randomUUID } from 'node:crypto';
import { Readable, ReadableOptions } from 'node:stream';
import {
  AppendExpectedRevision,
  AppendResult,
  EventData,
  Position,
  ReadPosition,
  ReadRevision,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EventStoreDbClientLike } from './eventstoredb-event-store';

export interface FakeRecord {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly isJson: boolean;
  readonly position: Position;
}

interface FakeResolved {
  readonly event: FakeRecord;
  readonly commitPosition: bigint;
}

interface FakeFilter {
  readonly filterOn: 'eventType' | 'streamName';
  readonly regex?: string;
  readonly prefixes?: string[];
}

type StreamingReadLike = Readable & { cancel(): Promise<void> };
type SubscriptionLike = Readable & { unsubscribe(): Promise<void> };

export class FakeEventStoreDbClient {
  readonly log: FakeRecord[] = [];
  /** When set, every call fails with it (e.g. the client's UnavailableError). */
  failWith: Error | undefined;
  /** Write system records between user appends (default true). */
  systemNoise = true;
  disposed = false;
  readonly calls: string[] = [];
  private nextLogPosition = 1000n;
  private appends = 0;
  private readonly live = new Map<(record: FakeRecord) => void, SubscriptionLike>();

  constructor() {
    // A fresh server already holds system records ($epoch-information etc.).
    this.write('$epoch-information', '$epoch', {});
  }

  /** The adapter's view of this fake: the client methods it calls, with the client's types. */
  asClient(): EventStoreDbClientLike {
    return this as unknown as EventStoreDbClientLike;
  }

  static unavailable(): UnavailableError {
    return new UnavailableError(undefined, '14 UNAVAILABLE: No connection established');
  }

  async appendToStream(streamName: string, events: EventData | EventData[], options: { expectedRevision?: AppendExpectedRevision } = {}): Promise<AppendResult> {
    this.calls.push('appendToStream');
    await tick();
    this.failIfAsked();
    const batch = Array.isArray(events) ? events : [events];
    const expected = options.expectedRevision ?? 'any';
    const stream = this.stream(streamName);
    const current = stream.length - 1;
    const wrong = () =>
      new WrongExpectedVersionError(undefined, { streamName, expected, current: current < 0 ? 'no_stream' : BigInt(current) });

    const idempotentFrom = (first: number): AppendResult | undefined => {
      const same = batch.every((event, i) => stream[first + i]?.id === event.id);
      if (!same) return undefined;
      const last = stream[first + batch.length - 1];
      return { success: true, nextExpectedRevision: last.revision, position: last.position };
    };

    if (expected === 'no_stream' || typeof expected === 'bigint') {
      const expectedVersion = expected === 'no_stream' ? -1 : Number(expected);
      if (expectedVersion < current) {
        const replay = idempotentFrom(expectedVersion + 1);
        if (replay) return replay;
        throw wrong();
      }
      if (expectedVersion > current) throw wrong();
    } else {
      if (expected === 'stream_exists' && current < 0) throw wrong();
      const firstIndex = stream.findIndex((record) => record.id === batch[0].id);
      if (firstIndex >= 0) {
        const replay = idempotentFrom(firstIndex);
        if (replay) return replay;
      }
    }

    let last: FakeRecord | undefined;
    for (const event of batch) {
      last = this.write(streamName, event.type, event.data, event.metadata, event.contentType === 'application/json', event.id);
    }
    this.appends++;
    if (this.systemNoise) {
      this.write(`$ce-${streamName.split('-')[0]}`, '$>', `${last?.revision}@${streamName}`);
      if (this.appends % 3 === 0) this.write('$stats-127.0.0.1:2113', '$statsCollected', { cpu: 1 });
    }
    return { success: true, nextExpectedRevision: last?.revision ?? -1n, position: last?.position };
  }

  readStream(
    streamName: string,
    options: { fromRevision?: ReadRevision; maxCount?: number | bigint; direction?: 'forwards' | 'backwards' } = {},
  ): StreamingReadLike {
    this.calls.push('readStream');
    return this.streamingRead(() => {
      const stream = this.stream(streamName);
      if (stream.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const { fromRevision = 'start', maxCount = Number.MAX_SAFE_INTEGER, direction = 'forwards' } = options;
      if (direction !== 'forwards') throw new Error('fake: backwards stream reads are not modelled');
      const from = fromRevision === 'start' ? 0 : fromRevision === 'end' ? stream.length : Number(fromRevision);
      return stream.slice(from, from + Number(maxCount));
    });
  }

  readAll(options: { fromPosition?: ReadPosition; maxCount?: number | bigint; direction?: 'forwards' | 'backwards' } = {}): StreamingReadLike {
    this.calls.push('readAll');
    return this.streamingRead(() => {
      const { fromPosition = 'start', maxCount = Number.MAX_SAFE_INTEGER, direction = 'forwards' } = options;
      const count = Number(maxCount);
      if (direction === 'forwards') {
        const records = fromPosition === 'start' ? this.log : fromPosition === 'end' ? [] : this.log.filter((r) => compare(r.position, fromPosition) >= 0);
        return records.slice(0, count);
      }
      const records = fromPosition === 'end' ? this.log : fromPosition === 'start' ? [] : this.log.filter((r) => compare(r.position, fromPosition) < 0);
      return [...records].reverse().slice(0, count);
    });
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: FakeFilter } = {}, readableOptions: ReadableOptions = {}): SubscriptionLike {
    this.calls.push('subscribeToAll');
    const { fromPosition = 'start', filter } = options;
    const subscription = new Readable({ ...readableOptions, objectMode: true, read() {} }) as SubscriptionLike;
    let active = true;
    const deliver = (record: FakeRecord) => {
      if (active && accepts(filter, record)) subscription.push(resolved(record));
    };
    subscription.unsubscribe = async () => {
      active = false;
      this.live.delete(deliver);
    };
    if (this.failWith) {
      const error = this.failWith;
      setImmediate(() => subscription.destroy(error));
      return subscription;
    }
    const catchUp = fromPosition === 'end' ? [] : fromPosition === 'start' ? this.log : this.log.filter((r) => compare(r.position, fromPosition) > 0);
    for (const record of catchUp) deliver(record);
    this.live.set(deliver, subscription);
    return subscription;
  }

  /** Drops every live subscription with `error`, as the server going away would. */
  dropSubscriptions(error: Error): void {
    this.failWith = error;
    for (const subscription of this.live.values()) subscription.destroy(error);
    this.live.clear();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  get activeSubscriptions(): number {
    return this.live.size;
  }

  private write(streamId: string, type: string, data: unknown, metadata?: unknown, isJson = true, id: string = randomUUID()): FakeRecord {
    const stream = this.stream(streamId);
    const record: FakeRecord = {
      streamId,
      id,
      revision: BigInt(stream.length),
      type,
      created: new Date(),
      data: isJson ? roundTrip(data) : data,
      metadata: metadata === undefined ? undefined : roundTrip(metadata),
      isJson,
      position: { commit: this.nextLogPosition, prepare: this.nextLogPosition },
    };
    this.nextLogPosition += 97n + BigInt(Math.floor(Math.random() * 50));
    this.log.push(record);
    for (const deliver of this.live.keys()) deliver(record);
    return record;
  }

  /** Writes `event` with a chosen id: lets specs build a stream exactly. */
  writeRaw(streamId: string, event: EventData): FakeRecord {
    return this.write(streamId, event.type, event.data, event.metadata, event.contentType === 'application/json', event.id);
  }

  private stream(streamId: string): FakeRecord[] {
    return this.log.filter((record) => record.streamId === streamId);
  }

  private failIfAsked(): void {
    if (this.failWith) throw this.failWith;
  }

  private streamingRead(produce: () => FakeRecord[]): StreamingReadLike {
    let records: FakeRecord[] | undefined;
    let failure: Error | undefined = this.failWith;
    if (!failure) {
      try {
        records = produce();
      } catch (error) {
        failure = error as Error;
      }
    }
    const queue = (records ?? []).map(resolved);
    const readable = new Readable({
      objectMode: true,
      read() {
        if (failure) {
          this.destroy(failure);
          return;
        }
        this.push(queue.length > 0 ? queue.shift() : null);
      },
    }) as StreamingReadLike;
    readable.cancel = async () => {
      readable.destroy();
    };
    return readable;
  }
}

function resolved(record: FakeRecord): FakeResolved {
  return { event: record, commitPosition: record.position.commit };
}

function accepts(filter: FakeFilter | undefined, record: FakeRecord): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'eventType' ? record.type : record.streamId;
  if (filter.regex !== undefined) return new RegExp(filter.regex).test(subject);
  return (filter.prefixes ?? []).some((prefix) => subject.startsWith(prefix));
}

function compare(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function roundTrip(value: unknown): unknown {
  return value instanceof Uint8Array ? value : JSON.parse(JSON.stringify(value ?? null));
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
