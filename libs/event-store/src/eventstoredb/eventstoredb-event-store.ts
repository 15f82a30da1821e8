/*
 * EventStoreDB adapter of the EventStore port, over `@eventstore/db-client` 6.2.x (gRPC, server 22.6+).
 *
 * What this file relies on, read from node_modules/@eventstore/db-client/dist (*.d.ts and the matching *.js):
 * - types/index.d.ts: `Position = { commit: bigint; prepare: bigint }`, `ReadPosition = START | END | Position`,
 *   `AppendExpectedRevision = STREAM_EXISTS | ANY | NO_STREAM | bigint`, `CurrentRevision = NO_STREAM | bigint`,
 *   `AppendResult { success, nextExpectedRevision: bigint, position?: Position }`, `StreamingRead` and
 *   `ReadableSubscription` are Node Readables (async iterable) with `cancel()` / `unsubscribe()`.
 * - streams/appendToStream: `appendToStream(stream, events, { expectedRevision })`; with the default
 *   `throwOnAppendFailure: true` a version mismatch rejects with `WrongExpectedVersionError`.
 * - streams/readStream.js + utils/ReadStream.js: a missing stream makes the read stream emit `StreamNotFoundError`.
 * - streams/readAll.js: always sends `NoFilter`, so system events are filtered here; `fromPosition` is inclusive
 *   for forward reads.
 * - streams/subscribeToAll.js + utils/filter.js: `subscribeToAll({ fromPosition, filter: excludeSystemEvents() })`;
 *   `excludeSystemEvents()` is an event-type regex `^[^$].*`. Subscriptions start strictly after `fromPosition`.
 * - utils/CommandError.d.ts: `ErrorType`, `WrongExpectedVersionError { streamName, expectedVersion, actualVersion }`,
 *   `convertToCommandError` (raw gRPC status -> typed error, e.g. status 14 -> `UnavailableError`).
 * - utils/convertGrpcEvent.js: JSON data / metadata are parsed back; `created` is a Date; `position` comes from the
 *   record's commit/prepare pair. Servers before 22.6 send 2^64-1 ("no position") on stream reads.
 */
import {
  ANY,
  AppendExpectedRevision,
  AppendResult as EsdbAppendResult,
  BACKWARDS,
  CurrentRevision,
  END,
  ErrorType,
  EventData,
  EventStoreDBClient,
  FORWARDS,
  JSONType,
  NO_STREAM as ESDB_NO_STREAM,
  Position,
  ReadPosition,
  START as ESDB_START,
  STREAM_EXISTS,
  convertToCommandError,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import {
  AppendResult,
  ConcurrencyError,
  EventMetadata,
  EventStore,
  ExpectedVersion,
  GlobalPosition,
  InvalidAppendError,
  NO_STREAM,
  NewEvent,
  ReadStreamOptions,
  RecordedEvent,
  START,
  StoreUnavailableError,
  SubscribeOptions,
  comparePositions,
  isEventStoreError,
  validateAppend,
} from '../port';

/** The part of `EventStoreDBClient` the adapter uses: lets tests pass a fake without a server. */
export type EventStoreDbClientLike = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

export interface EventStoreDbEventStoreOptions {
  /**
   * Dispose the client in `close()`.
   * Default: `true` for {@link EventStoreDbEventStore.connect} (the store created the client), `false` when a
   * client is passed to the constructor (its owner disposes it).
   */
  readonly disposeClientOnClose?: boolean;
  /**
   * Largest number of `$all` records fetched per round trip while `readAll` and `headPosition` skip system
   * events. Default: 1000.
   */
  readonly maxPageSize?: number;
}

/** One `$all` or stream record as the client returns it (structural subset of its `ResolvedEvent`). */
export interface EsdbResolvedEventLike {
  readonly event?: {
    readonly streamId: string;
    readonly id: string;
    readonly revision: bigint;
    readonly type: string;
    readonly created: Date;
    readonly data: unknown;
    readonly metadata?: unknown;
    readonly position?: Position;
  };
}

const DEFAULT_MAX_PAGE_SIZE = 1000;
const MIN_PAGE_SIZE = 16;
const DEFAULT_SUBSCRIPTION_BUFFER = 500;
/** Servers before 22.6 report this (u64 max) instead of a real `$all` position on stream reads. */
const NO_POSITION = 2n ** 64n - 1n;

/**
 * EventStoreDB adapter: streams map 1:1, the global order is `$all` without system events (type or stream
 * starting with `$`), {@link GlobalPosition} is `$all`'s commit/prepare pair. Metadata (incl. `recordedAt`) is the
 * event's JSON metadata, data its JSON body. There is no hash chain: `prevHash` / `hash` stay undefined.
 *
 * Differences from the PostgreSQL adapter, inherent to EventStoreDB:
 * - event ids are unique per stream only, so `DuplicateEventError` is never raised for an id reused in another stream;
 * - idempotent retries rely on EventStoreDB's own check (guaranteed for exact / `no_stream` expectations,
 *   best effort for `any` / `stream_exists`);
 * - an append is three round trips: the newest `$all` position (to tell a replay from a write), the append, and a
 *   read-back of the appended versions for their `$all` positions. The connection's user needs read access to `$all`.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly maxPageSize: number;
  private readonly disposeClientOnClose: boolean;
  private readonly stopSubscriptions = new AbortController();

  constructor(
    private readonly client: EventStoreDbClientLike,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.maxPageSize = Math.max(MIN_PAGE_SIZE, options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE);
    this.disposeClientOnClose = options.disposeClientOnClose ?? false;
  }

  /** A store over a new client for `connectionString` (e.g. `esdb://localhost:2113?tls=false`); `close()` disposes it. */
  static connect(connectionString: string, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
    const client = EventStoreDBClient.connectionString(connectionString);
    return new EventStoreDbEventStore(client, { disposeClientOnClose: true, ...options });
  }

  async append(streamId: string, events: readonly NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    validateAppend(streamId, events);
    const expectedRevision = toExpectedRevision(expectedVersion);
    try {
      // Anything our append writes lands after this; an idempotent replay's events are at or before it.
      const headBefore = await this.lastRecordPosition();
      const written = await this.client.appendToStream(streamId, events.map(toEventData), { expectedRevision });
      if (!written.success) throw wrongVersionResult(streamId, expectedVersion, written);
      const lastVersion = Number(written.nextExpectedRevision);
      const firstVersion = lastVersion - events.length + 1;
      const stored = await this.readRange(streamId, firstVersion, events.length);
      if (stored.length !== events.length || stored.some((event, i) => event.eventId !== events[i].eventId)) {
        throw new Error(
          `EventStoreDB acknowledged the append to ${streamId} at versions ${firstVersion}..${lastVersion}, but reading them back returned other events`,
        );
      }
      return {
        nextExpectedVersion: lastVersion,
        positions: stored.map((event) => event.position),
        idempotentReplay: isIdempotentReplay(stored, headBefore),
      };
    } catch (error) {
      throw translateError(error, { streamId, expectedVersion });
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const asOf = options.asOf === undefined ? undefined : parseInstant(options.asOf, 'asOf');
    const fromVersion = Math.max(0, Math.ceil(options.fromVersion ?? 0));
    const events = await this.readStreamEvents(streamId, { fromRevision: BigInt(fromVersion) });
    return asOf === undefined ? events : events.filter((event) => Date.parse(event.recordedAt) <= asOf);
  }

  async readAll(after: GlobalPosition, limit: number): Promise<RecordedEvent[]> {
    if (!(limit > 0)) return [];
    const result: RecordedEvent[] = [];
    let cursor = after;
    let exclusive = !isStart(after);
    for (;;) {
      // +1: the forward read includes the record at `cursor`, which is dropped below.
      const pageSize = Math.min(Math.max(limit - result.length + 1, MIN_PAGE_SIZE), this.maxPageSize);
      const page = await this.collectAll({ fromPosition: toReadPosition(cursor), maxCount: pageSize, direction: FORWARDS });
      let advanced = false;
      for (const resolved of page) {
        const position = allPosition(resolved);
        if (!position || (exclusive && comparePositions(position, cursor) <= 0)) continue;
        cursor = position;
        exclusive = true;
        advanced = true;
        if (!isUserEvent(resolved)) continue;
        result.push(toRecordedEvent(resolved));
        if (result.length >= limit) return result;
      }
      if (page.length < pageSize || !advanced) return result;
    }
  }

  async headPosition(): Promise<GlobalPosition> {
    let cursor: GlobalPosition | undefined;
    for (;;) {
      const pageSize = Math.min(100, this.maxPageSize);
      const fromPosition: ReadPosition = cursor ? toReadPosition(cursor) : END;
      const page = await this.collectAll({ fromPosition, maxCount: pageSize, direction: BACKWARDS });
      let advanced = false;
      for (const resolved of page) {
        const position = allPosition(resolved);
        if (!position || (cursor && comparePositions(position, cursor) >= 0)) continue;
        cursor = position;
        advanced = true;
        if (isUserEvent(resolved)) return position;
      }
      if (page.length < pageSize || !advanced) return START;
    }
  }

  /**
   * A `$all` catch-up subscription with `excludeSystemEvents()`, strictly after `after`. Push-based: the server
   * catches up and then goes live by itself, so `options.pollIntervalMs` is not used; `options.batchSize`
   * (default 500) bounds the client-side buffer (the subscription Readable's highWaterMark). Ends when
   * `options.signal` aborts, the consumer stops iterating, or the store closes; the gRPC subscription is cancelled
   * in every case. A dropped subscription (server gone) throws StoreUnavailableError from the iterator.
   */
  subscribeToAll(after: GlobalPosition, options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.subscription(after, options) };
  }

  async close(): Promise<void> {
    this.stopSubscriptions.abort();
    if (this.disposeClientOnClose) await this.client.dispose();
  }

  private async *subscription(after: GlobalPosition, options: SubscribeOptions): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    if (signal?.aborted || this.stopSubscriptions.signal.aborted) return;
    const subscription = this.client.subscribeToAll(
      { fromPosition: toReadPosition(after), filter: excludeSystemEvents() },
      { highWaterMark: options.batchSize ?? DEFAULT_SUBSCRIPTION_BUFFER },
    );
    let onStop = (): void => undefined;
    // The subscription stream need not end after `unsubscribe()`, so stopping never waits for it to.
    const stopped = new Promise<'stopped'>((resolve) => {
      onStop = () => resolve('stopped');
      signal?.addEventListener('abort', onStop, { once: true });
      this.stopSubscriptions.signal.addEventListener('abort', onStop, { once: true });
    });
    const isStopped = () => Boolean(signal?.aborted) || this.stopSubscriptions.signal.aborted;
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stopped]);
        if (next === 'stopped' || next.done) return;
        if (!isUserEvent(next.value)) continue;
        const event = toRecordedEvent(next.value);
        if (!isStart(after) && comparePositions(event.position, after) <= 0) continue;
        yield event;
        if (isStopped()) return;
      }
    } catch (error) {
      if (isStopped()) return;
      throw translateError(error);
    } finally {
      signal?.removeEventListener('abort', onStop);
      this.stopSubscriptions.signal.removeEventListener('abort', onStop);
      await subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    }
  }

  private async readStreamEvents(streamId: string, options: { fromRevision: bigint; maxCount?: number }): Promise<RecordedEvent[]> {
    try {
      const events: RecordedEvent[] = [];
      for await (const resolved of this.client.readStream(streamId, { ...options, direction: FORWARDS })) {
        if (resolved.event) events.push(toRecordedEvent(resolved));
      }
      return events;
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw translateError(error);
    }
  }

  private readRange(streamId: string, fromVersion: number, count: number): Promise<RecordedEvent[]> {
    return this.readStreamEvents(streamId, { fromRevision: BigInt(Math.max(0, fromVersion)), maxCount: count });
  }

  /** Position of the newest `$all` record of any kind, system ones included; undefined when the log is empty. */
  private async lastRecordPosition(): Promise<GlobalPosition | undefined> {
    const [last] = await this.collectAll({ fromPosition: END, maxCount: 1, direction: BACKWARDS });
    return last ? allPosition(last) : undefined;
  }

  private async collectAll(options: { fromPosition: ReadPosition; maxCount: number; direction: typeof FORWARDS | typeof BACKWARDS }) {
    try {
      const records: EsdbResolvedEventLike[] = [];
      for await (const resolved of this.client.readAll(options)) records.push(resolved);
      return records;
    } catch (error) {
      throw translateError(error);
    }
  }
}

/** Our expected version as the client's `expectedRevision`: -1 and 'no_stream' both mean "must not exist". */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return ESDB_NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  if (!Number.isSafeInteger(expected) || expected < NO_STREAM) throw new InvalidAppendError(`Invalid expected version ${expected}`);
  return expected === NO_STREAM ? ESDB_NO_STREAM : BigInt(expected);
}

/** The client's current revision (`bigint` or 'no_stream') as our 0-based version (-1 when absent). */
export function toActualVersion(current: CurrentRevision | undefined): number | undefined {
  if (typeof current === 'bigint') return Number(current);
  if (current === ESDB_NO_STREAM) return NO_STREAM;
  return undefined;
}

/** `START` reads from the beginning; any other position is passed through as `$all`'s commit/prepare pair. */
export function toReadPosition(position: GlobalPosition): ReadPosition {
  return isStart(position) ? ESDB_START : { commit: position.commit, prepare: position.prepare };
}

/** A client position as ours; undefined for the "no position" markers (absent, negative or 2^64-1). */
export function toGlobalPosition(position: Position | undefined): GlobalPosition | undefined {
  if (!position) return undefined;
  const { commit, prepare } = position;
  if (commit < 0n || prepare < 0n || commit >= NO_POSITION || prepare >= NO_POSITION) return undefined;
  return { commit, prepare };
}

/** System events stay out of the global order: their type or their stream starts with `$`. */
export function isSystemEvent(event: { readonly streamId: string; readonly type: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

function isUserEvent(resolved: EsdbResolvedEventLike): boolean {
  return resolved.event !== undefined && !isSystemEvent(resolved.event);
}

/** A client record as our RecordedEvent. `recordedAt` comes from our metadata, else from the server's `created`. */
export function toRecordedEvent(resolved: EsdbResolvedEventLike): RecordedEvent {
  const event = resolved.event;
  if (!event) throw new TypeError('EventStoreDB record carries no event');
  const position = toGlobalPosition(event.position);
  if (!position) {
    throw new Error(
      `EventStoreDB returned no $all position for ${event.streamId}@${event.revision}: EventStoreDbEventStore needs EventStoreDB 22.6 or later`,
    );
  }
  const stored = isRecord(event.metadata) ? event.metadata : {};
  const recordedAt = typeof stored.recordedAt === 'string' ? stored.recordedAt : event.created.toISOString();
  const metadata = (stored.recordedAt === recordedAt ? stored : { ...stored, recordedAt }) as EventMetadata;
  return {
    streamId: event.streamId,
    streamVersion: Number(event.revision),
    eventId: event.id,
    type: event.type,
    data: event.data,
    metadata,
    position,
    recordedAt,
  };
}

export function toEventData(event: NewEvent): EventData {
  // JSON.stringify(undefined) would break the client's encoder; store null like the PostgreSQL adapter.
  return jsonEvent({ id: event.eventId, type: event.type, data: (event.data ?? null) as JSONType, metadata: event.metadata });
}

export interface ErrorContext {
  readonly streamId?: string;
  readonly expectedVersion?: ExpectedVersion;
}

const UNAVAILABLE_TYPES: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);
const UNAVAILABLE_NODE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * Client errors as port errors: wrong expected version -> ConcurrencyError (with the actual version when known),
 * unreachable / timed out / leader changed -> StoreUnavailableError, append too large -> InvalidAppendError.
 * Port errors and anything else are returned unchanged.
 */
export function translateError(error: unknown, context: ErrorContext = {}): unknown {
  if (isEventStoreError(error) || !(error instanceof Error)) return error;
  const converted = safeConvert(error);
  const type = errorType(converted); // duck-typed: CommandError subclasses and look-alikes from another client copy
  if (type === ErrorType.WRONG_EXPECTED_VERSION) {
    const wrong = converted as Partial<{ streamName: string; expectedVersion: unknown; actualVersion: CurrentRevision }>;
    const expected = context.expectedVersion !== undefined ? String(context.expectedVersion) : String(wrong.expectedVersion ?? 'unknown');
    return new ConcurrencyError(context.streamId ?? wrong.streamName ?? 'unknown', expected, toActualVersion(wrong.actualVersion));
  }
  if (type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED) {
    return new InvalidAppendError(`Append to ${context.streamId ?? 'stream'} exceeds EventStoreDB's maximum append size: ${converted.message}`);
  }
  if ((type !== undefined && UNAVAILABLE_TYPES.has(type)) || looksUnavailable(converted)) {
    return new StoreUnavailableError(`EventStoreDB unavailable: ${converted.message || type || converted.name}`, converted);
  }
  return converted;
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof Error && errorType(error) === ErrorType.STREAM_NOT_FOUND;
}

function safeConvert(error: Error): Error {
  try {
    return convertToCommandError(error);
  } catch {
    return error; // an Error shaped like a gRPC status but missing fields the converter reads
  }
}

function errorType(error: Error): string | undefined {
  const type = (error as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

function looksUnavailable(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
  if (typeof code === 'string' && UNAVAILABLE_NODE_CODES.has(code)) return true;
  return /Failed to discover after \d+ attempts/.test(error.message);
}

/** Only reached with `throwOnAppendFailure: false`: the client resolves instead of throwing. */
function wrongVersionResult(streamId: string, expectedVersion: ExpectedVersion, written: EsdbAppendResult): ConcurrencyError {
  const actual = Number(written.nextExpectedRevision);
  return new ConcurrencyError(streamId, String(expectedVersion), Number.isSafeInteger(actual) ? actual : undefined);
}

/** The append wrote nothing new when the events it reports were already in the log before it started. */
export function isIdempotentReplay(stored: readonly RecordedEvent[], headBefore: GlobalPosition | undefined): boolean {
  return headBefore !== undefined && stored.length > 0 && stored.every((event) => comparePositions(event.position, headBefore) <= 0);
}

/** `$all` reads always carry the record's commit/prepare pair. */
function allPosition(resolved: EsdbResolvedEventLike): GlobalPosition | undefined {
  return toGlobalPosition(resolved.event?.position);
}

function isStart(position: GlobalPosition): boolean {
  return position.commit === START.commit && position.prepare === START.prepare;
}

function parseInstant(text: string, name: string): number {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new RangeError(`${name} is not an ISO time: ${text}`);
  return time;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
