import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { newEvent } from '../conformance';
import { ConcurrencyError, GlobalPosition, InvalidAppendError, RecordedEvent, START, StoreUnavailableError, comparePositions } from '../port';
import {
  EventStoreDbEventStore,
  isIdempotentReplay,
  isStreamNotFound,
  isSystemEvent,
  toActualVersion,
  toEventData,
  toExpectedRevision,
  toGlobalPosition,
  toReadPosition,
  toRecordedEvent,
  translateError,
} from './eventstoredb-event-store';
import { FakeEventStoreDbClient } from './fake-eventstoredb-client';

const U64_MAX = 2n ** 64n - 1n;

describe('EventStoreDB adapter: expected-version mapping', () => {
  it.each([
    ['any', 'any'],
    ['no_stream', 'no_stream'],
    ['stream_exists', 'stream_exists'],
    [-1, 'no_stream'],
    [0, 0n],
    [41, 41n],
  ] as const)('maps %p to the client revision %p', (ours, theirs) => {
    expect(toExpectedRevision(ours)).toBe(theirs);
  });

  it.each([-2, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses %p with InvalidAppendError', (bad) => {
    expect(() => toExpectedRevision(bad)).toThrow(InvalidAppendError);
  });

  it("maps the client's current revision to our version, 'no_stream' to -1", () => {
    expect(toActualVersion(7n)).toBe(7);
    expect(toActualVersion('no_stream')).toBe(-1);
    expect(toActualVersion(undefined)).toBeUndefined();
  });
});

describe('EventStoreDB adapter: error translation', () => {
  it('turns WrongExpectedVersionError into ConcurrencyError with the actual version', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'approval-1', expected: 0n, current: 3n });
    const translated = translateError(error, { streamId: 'approval-1', expectedVersion: 0 });
    expect(translated).toBeInstanceOf(ConcurrencyError);
    expect(translated).toMatchObject({ type: 'concurrency', streamId: 'approval-1', expected: '0', actual: 3 });
  });

  it("reports a missing stream as actual version -1 and keeps our expectation's spelling", () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'stream_exists', current: 'no_stream' });
    expect(translateError(error, { streamId: 's', expectedVersion: 'stream_exists' })).toMatchObject({
      type: 'concurrency',
      expected: 'stream_exists',
      actual: -1,
    });
  });

  it("falls back to the client's stream name and expectation without context", () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'other', expected: 4n, current: 9n });
    expect(translateError(error)).toMatchObject({ type: 'concurrency', streamId: 'other', expected: '4', actual: 9 });
  });

  it('recognises a wrong-expected-version error of the same shape from another copy of the client', () => {
    const lookalike = Object.assign(new Error('wrong'), { type: 'wrong-expected-version', streamName: 's', expectedVersion: 1n, actualVersion: 2n });
    expect(translateError(lookalike, { streamId: 's', expectedVersion: 1 })).toMatchObject({ type: 'concurrency', actual: 2 });
  });

  it.each([
    ['UnavailableError', new UnavailableError(undefined, '14 UNAVAILABLE: No connection established')],
    ['DeadlineExceededError', new DeadlineExceededError(undefined, '4 DEADLINE_EXCEEDED')],
    ['a not-leader error', Object.assign(new Error('not leader'), { type: 'not-leader' })],
    ['a raw gRPC UNAVAILABLE status', Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' })],
    ['a refused TCP connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2113'), { code: 'ECONNREFUSED' })],
    ['a failed cluster discovery', new Error('Failed to discover after 10 attempts.')],
  ])('turns %s into StoreUnavailableError, keeping the cause', (_name, error) => {
    const translated = translateError(error);
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as StoreUnavailableError).type).toBe('unavailable');
    expect((translated as StoreUnavailableError).cause).toBeDefined();
  });

  it('turns an append over the size limit into InvalidAppendError', () => {
    expect(translateError(MaxAppendSizeExceededError.fromMaxAppendSize(1024), { streamId: 's' })).toBeInstanceOf(InvalidAppendError);
  });

  it('returns port errors and unrelated errors unchanged', () => {
    const concurrency = new ConcurrencyError('s', '0', 1);
    const denied = new AccessDeniedError(undefined, 'denied');
    const deleted = StreamDeletedError.fromStreamName('gone');
    const plain = new Error('boom');
    const oddStatus = Object.assign(new Error('odd'), { code: 2 }); // the client's converter would throw on it
    for (const error of [concurrency, denied, deleted, plain, oddStatus]) expect(translateError(error)).toBe(error);
    expect(translateError('not an error')).toBe('not an error');
  });

  it('recognises a stream-not-found read error', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'missing'))).toBe(true);
    expect(isStreamNotFound(new Error('missing'))).toBe(false);
  });
});

describe('EventStoreDB adapter: positions', () => {
  it('reads from the start for START and passes any other position through as commit/prepare', () => {
    expect(toReadPosition(START)).toBe('start');
    expect(toReadPosition({ commit: 5n, prepare: 3n })).toEqual({ commit: 5n, prepare: 3n });
  });

  it('maps client positions and treats the "no position" markers as unknown', () => {
    expect(toGlobalPosition({ commit: 1234n, prepare: 1200n })).toEqual({ commit: 1234n, prepare: 1200n });
    expect(toGlobalPosition(undefined)).toBeUndefined();
    expect(toGlobalPosition({ commit: U64_MAX, prepare: U64_MAX })).toBeUndefined();
    expect(toGlobalPosition({ commit: -1n, prepare: -1n })).toBeUndefined();
  });

  it('calls an append a replay only when every stored event was in the log before it started', () => {
    const at = (commit: bigint) => ({ position: { commit, prepare: commit } }) as RecordedEvent;
    const head: GlobalPosition = { commit: 500n, prepare: 500n };
    expect(isIdempotentReplay([at(100n), at(500n)], head)).toBe(true);
    expect(isIdempotentReplay([at(100n), at(600n)], head)).toBe(false);
    expect(isIdempotentReplay([at(100n)], undefined)).toBe(false);
  });
});

describe('EventStoreDB adapter: system events and record mapping', () => {
  it.each([
    [{ streamId: '$ce-approval', type: '$>' }, true],
    [{ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' }, true],
    [{ streamId: '$custom', type: 'LooksLikeUserEvent' }, true],
    [{ streamId: 'approval-1', type: '$metadata' }, true],
    [{ streamId: 'approval-1', type: 'VoteCast' }, false],
    [{ streamId: 'price-$5', type: 'Cost$' }, false],
  ])('%p is a system event: %p', (event, expected) => {
    expect(isSystemEvent(event)).toBe(expected);
  });

  const created = new Date('2030-01-01T00:00:00.000Z');
  const record = {
    streamId: 'approval-1',
    id: '6f1c1d2e-8d6c-4a53-9d2b-6c0c9e1f1a11',
    revision: 2n,
    type: 'VoteCast',
    created,
    data: { by: 'bob' },
    metadata: { actor: 'user:bob', correlationId: 'c', recordedAt: '2026-01-02T03:04:05.678Z', schemaVersion: 1 },
    position: { commit: 9000n, prepare: 9000n },
  };

  it('maps a record, taking recordedAt from our metadata rather than the server clock', () => {
    expect(toRecordedEvent({ event: record })).toEqual({
      streamId: 'approval-1',
      streamVersion: 2,
      eventId: record.id,
      type: 'VoteCast',
      data: { by: 'bob' },
      metadata: record.metadata,
      position: { commit: 9000n, prepare: 9000n },
      recordedAt: '2026-01-02T03:04:05.678Z',
    });
  });

  it("falls back to the server's created time for events written without our metadata", () => {
    const mapped = toRecordedEvent({ event: { ...record, metadata: undefined } });
    expect(mapped.recordedAt).toBe(created.toISOString());
    expect(mapped.metadata.recordedAt).toBe(created.toISOString());
  });

  it('refuses records without a $all position (servers before 22.6)', () => {
    expect(() => toRecordedEvent({ event: { ...record, position: { commit: U64_MAX, prepare: U64_MAX } } })).toThrow(/22\.6/);
  });

  it('writes events as JSON with our metadata, and null for absent data', () => {
    const event = newEvent('Opened', { tier: 'high' });
    expect(toEventData(event)).toEqual({ id: event.eventId, contentType: 'application/json', type: 'Opened', data: { tier: 'high' }, metadata: event.metadata });
    expect(toEventData({ ...event, data: undefined })).toMatchObject({ data: null });
  });
});

describe('EventStoreDbEventStore over a fake client', () => {
  let fake: FakeEventStoreDbClient;
  let store: EventStoreDbEventStore;
  beforeEach(() => {
    fake = new FakeEventStoreDbClient();
    store = new EventStoreDbEventStore(fake.asClient(), { maxPageSize: 16 });
  });

  const writeSystemRecords = (count: number) => {
    for (let i = 0; i < count; i++) fake.writeRaw('$stats-node', toEventData(newEvent('$statsCollected')));
  };

  it('readAll drops the event at `after`, skips system events and keeps paging until `limit` user events', async () => {
    await store.append('a-1', [newEvent('A1'), newEvent('A2')], 'no_stream');
    const [first] = await store.readAll(START, 1);
    writeSystemRecords(40); // more than two pages of system records between user events
    await store.append('b-1', [newEvent('B1')], 'no_stream');
    writeSystemRecords(20);
    await store.append('a-1', [newEvent('A3')], 1);
    await store.append('c-1', [newEvent('C1')], 'no_stream');

    const afterFirst = await store.readAll(first.position, 3);
    expect(afterFirst.map((e) => e.type)).toEqual(['A2', 'B1', 'A3']);
    expect((await store.readAll(START, 100)).map((e) => e.type)).toEqual(['A1', 'A2', 'B1', 'A3', 'C1']);
    expect(await store.readAll(START, 0)).toEqual([]);
    const last = afterFirst[2].position;
    expect((await store.readAll(last, 100)).map((e) => e.type)).toEqual(['C1']);
  });

  it('readAll returns the positions in increasing order', async () => {
    for (let i = 0; i < 5; i++) await store.append(`s-${i}`, [newEvent('E'), newEvent('F')], 'no_stream');
    const all = await store.readAll(START, 100);
    expect(all).toHaveLength(10);
    for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
  });

  it('headPosition is the newest user event, past trailing system events; START when there is none', async () => {
    expect(await store.headPosition()).toEqual(START);
    await store.append('a-1', [newEvent('A1')], 'no_stream');
    const result = await store.append('a-1', [newEvent('A2')], 0);
    writeSystemRecords(50);
    expect(await store.headPosition()).toEqual(result.positions[0]);
  });

  it('reads an unknown stream as empty, honours fromVersion and asOf', async () => {
    expect(await store.readStream('missing-1')).toEqual([]);
    await store.append('t-1', [newEvent('Early', {}, { recordedAt: '2026-01-01T00:00:00.000Z' })], 'no_stream');
    await store.append('t-1', [newEvent('Late', {}, { recordedAt: '2026-01-02T00:00:00.000Z' })], 0);
    expect((await store.readStream('t-1', { asOf: '2026-01-01T12:00:00Z' })).map((e) => e.type)).toEqual(['Early']);
    expect((await store.readStream('t-1', { fromVersion: 1 })).map((e) => e.type)).toEqual(['Late']);
    await expect(store.readStream('t-1', { asOf: 'yesterday' })).rejects.toThrow(RangeError);
  });

  it('append maps versions, reports positions of the stored events and detects an idempotent retry', async () => {
    const events = [newEvent('X'), newEvent('Y')];
    const first = await store.append('r-1', events, 'no_stream');
    expect(first).toMatchObject({ nextExpectedVersion: 1, idempotentReplay: false });
    const stored = await store.readStream('r-1');
    expect(first.positions).toEqual(stored.map((e) => e.position));

    await store.append('other-1', [newEvent('Z')], 'no_stream');
    const again = await store.append('r-1', events, 'no_stream');
    expect(again).toEqual({ nextExpectedVersion: 1, positions: first.positions, idempotentReplay: true });
    expect(await store.readStream('r-1')).toHaveLength(2);
  });

  it('append throws ConcurrencyError with the actual version, and validates before calling the server', async () => {
    await store.append('c-1', [newEvent('A'), newEvent('B')], 'no_stream');
    await expect(store.append('c-1', [newEvent('C')], 0)).rejects.toMatchObject({ type: 'concurrency', expected: '0', actual: 1 });
    await expect(store.append('absent-1', [newEvent('C')], 'stream_exists')).rejects.toMatchObject({ type: 'concurrency', actual: -1 });
    fake.calls.length = 0;
    await expect(store.append('c-1', [], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
    await expect(store.append('c-1', [newEvent('C')], -7)).rejects.toBeInstanceOf(InvalidAppendError);
    expect(fake.calls).toEqual([]);
  });

  it('translates an unreachable server into StoreUnavailableError on every operation', async () => {
    fake.failWith = FakeEventStoreDbClient.unavailable();
    await expect(store.append('u-1', [newEvent('A')], 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream('u-1')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll(START, 10)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(StoreUnavailableError);
    const iterator = store.subscribeToAll(START)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('subscribeToAll starts after `after`, skips system events and ends on abort though the client stream never ends', async () => {
    await store.append('s-1', [newEvent('Old')], 'no_stream');
    const head = await store.headPosition();
    await store.append('s-1', [newEvent('New1')], 0);
    fake.writeRaw('$custom', toEventData(newEvent('NotSystemTypeButSystemStream')));
    const abort = new AbortController();
    const received: string[] = [];
    const done = (async () => {
      for await (const event of store.subscribeToAll(head, { signal: abort.signal })) {
        received.push(event.type);
        if (received.length === 2) abort.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.append('s-1', [newEvent('New2')], 1);
    await done; // resolves only if abort ends the iteration
    expect(received).toEqual(['New1', 'New2']);
    expect(fake.activeSubscriptions).toBe(0);
  });

  it('subscribeToAll ends when aborted while waiting for the next event, and on close()', async () => {
    const abort = new AbortController();
    const waiting = store.subscribeToAll(START, { signal: abort.signal })[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });

    const open = store.subscribeToAll(START)[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.close();
    await expect(open).resolves.toMatchObject({ done: true });
    expect(fake.activeSubscriptions).toBe(0);
    expect(fake.disposed).toBe(false); // the client was passed in: its owner disposes it
  });

  it('surfaces a dropped subscription as StoreUnavailableError', async () => {
    const iterator = store.subscribeToAll(START)[Symbol.asyncIterator]();
    const next = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    fake.dropSubscriptions(FakeEventStoreDbClient.unavailable());
    await expect(next).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('disposes the client on close when it owns it', async () => {
    const owned = new EventStoreDbEventStore(fake.asClient(), { disposeClientOnClose: true });
    await owned.close();
    expect(fake.disposed).toBe(true);
  });
});
