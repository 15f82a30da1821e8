import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  EventStore,
  InvalidAppendError,
  NewEvent,
  RecordedEvent,
  comparePositions,
} from '../port';

export interface ConformanceFixture {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

export function newEvent(type: string, data: unknown = {}, overrides: Partial<NewEvent['metadata']> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    data,
    metadata: { actor: 'user:alice', correlationId: randomUUID(), recordedAt: new Date().toISOString(), schemaVersion: 1, ...overrides },
  };
}

async function collect(iterable: AsyncIterable<RecordedEvent>, count: number, accept: (e: RecordedEvent) => boolean, timeoutMs = 10_000) {
  const received: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  for await (const event of iterable) {
    if (accept(event)) received.push(event);
    if (received.length >= count || Date.now() > deadline) break;
  }
  return received;
}

/**
 * The behaviour every EventStore adapter must have. Streams are uniquely named per test, so the suite can run
 * against a shared server (EventStoreDB) as well as a fresh database.
 */
export function describeEventStoreConformance(adapterName: string, createFixture: () => Promise<ConformanceFixture>): void {
  describe(`EventStore conformance: ${adapterName}`, () => {
    let fixture: ConformanceFixture;
    let store: EventStore;
    const stream = (name: string) => `${name}-${randomUUID()}`;

    beforeAll(async () => {
      fixture = await createFixture();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.teardown();
    });

    it('appends to a new stream and reads the events back in order with their metadata', async () => {
      const id = stream('approval');
      const events = [newEvent('ApprovalRequested', { tier: 'medium' }, { idempotencyKey: 'k1', causationId: 'c1' }), newEvent('VoteCast', { by: 'bob' })];
      const result = await store.append(id, events, 'no_stream');
      expect(result.nextExpectedVersion).toBe(1);
      expect(result.idempotentReplay).toBe(false);
      const read = await store.readStream(id);
      expect(read.map((e) => [e.streamVersion, e.type, e.eventId])).toEqual([
        [0, 'ApprovalRequested', events[0].eventId],
        [1, 'VoteCast', events[1].eventId],
      ]);
      expect(read[0].data).toEqual({ tier: 'medium' });
      expect(read[0].metadata).toMatchObject({ actor: 'user:alice', idempotencyKey: 'k1', causationId: 'c1', schemaVersion: 1, correlationId: events[0].metadata.correlationId });
      expect(read[0].recordedAt).toBe(events[0].metadata.recordedAt);
    });

    it('reads an unknown stream as empty', async () => {
      expect(await store.readStream(stream('missing'))).toEqual([]);
    });

    it('refuses a wrong expected version with ConcurrencyError', async () => {
      const id = stream('anomaly');
      await store.append(id, [newEvent('A')], 'no_stream');
      await expect(store.append(id, [newEvent('B')], 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.append(id, [newEvent('B')], 5)).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.append(stream('absent'), [newEvent('B')], 'stream_exists')).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.append(id, [newEvent('B')], 0)).resolves.toMatchObject({ nextExpectedVersion: 1 });
      await expect(store.append(id, [newEvent('C')], 'stream_exists')).resolves.toMatchObject({ nextExpectedVersion: 2 });
      await expect(store.append(id, [newEvent('D')], 'any')).resolves.toMatchObject({ nextExpectedVersion: 3 });
    });

    it('lets exactly one of many writers racing on the same expected version win', async () => {
      const id = stream('race');
      await store.append(id, [newEvent('Opened')], 'no_stream');
      const attempts = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.append(id, [newEvent('Vote', { i })], 0)));
      const winners = attempts.filter((a) => a.status === 'fulfilled');
      const losers = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(7);
      for (const loser of losers) expect(loser.reason).toBeInstanceOf(ConcurrencyError);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('treats a retried append of the same event ids at the same expected version as already done', async () => {
      const id = stream('retry');
      const events = [newEvent('X'), newEvent('Y')];
      await store.append(id, events, 'no_stream');
      const again = await store.append(id, events, 'no_stream');
      expect(again.idempotentReplay).toBe(true);
      expect(again.nextExpectedVersion).toBe(1);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('refuses empty appends and malformed events', async () => {
      await expect(store.append(stream('bad'), [], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append(stream('bad'), [{ ...newEvent('X'), eventId: 'not-a-uuid' }], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append(stream('bad'), [{ ...newEvent('X'), type: '' }], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
    });

    it('reads the global order after a position, in increasing positions, honouring the limit', async () => {
      const head = await store.headPosition();
      const a = stream('global-a');
      const b = stream('global-b');
      await store.append(a, [newEvent('A1'), newEvent('A2')], 'no_stream');
      await store.append(b, [newEvent('B1')], 'no_stream');
      await store.append(a, [newEvent('A3')], 1);
      // Visibility can trail the append (PostgreSQL's fence waits for older transactions anywhere on the server).
      let mine: RecordedEvent[] = [];
      for (let i = 0; i < 200 && mine.length < 4; i++) {
        if (i) await new Promise((resolve) => setTimeout(resolve, 25));
        mine = (await store.readAll(head, 1000)).filter((e) => e.streamId === a || e.streamId === b);
      }
      expect(mine.map((e) => e.type)).toEqual(['A1', 'A2', 'B1', 'A3']);
      for (let i = 1; i < mine.length; i++) expect(comparePositions(mine[i - 1].position, mine[i].position)).toBeLessThan(0);
      const firstTwo = await store.readAll(head, 2);
      expect(firstTwo).toHaveLength(2);
      const rest = await store.readAll(firstTwo[1].position, 1000);
      expect(rest.every((e) => comparePositions(e.position, firstTwo[1].position) > 0)).toBe(true);
      expect(comparePositions(await store.headPosition(), mine[3].position)).toBeGreaterThanOrEqual(0);
    });

    it('subscribes to all: catches up from a checkpoint, then delivers new events live', async () => {
      const head = await store.headPosition();
      const id = stream('live');
      await store.append(id, [newEvent('Before1'), newEvent('Before2')], 'no_stream');
      const abort = new AbortController();
      const subscription = store.subscribeToAll(head, { signal: abort.signal, pollIntervalMs: 20 });
      const received = collect(subscription, 4, (e) => e.streamId === id);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await store.append(id, [newEvent('After1'), newEvent('After2')], 1);
      const events = await received;
      abort.abort();
      expect(events.map((e) => e.type)).toEqual(['Before1', 'Before2', 'After1', 'After2']);
    });

    it('reads a stream as of a time: later events are left out', async () => {
      const id = stream('asof');
      await store.append(id, [newEvent('Early', {}, { recordedAt: '2026-01-01T00:00:00.000Z' })], 'no_stream');
      await store.append(id, [newEvent('Late', {}, { recordedAt: '2026-01-02T00:00:00.000Z' })], 0);
      const asOf = await store.readStream(id, { asOf: '2026-01-01T12:00:00.000Z' });
      expect(asOf.map((e) => e.type)).toEqual(['Early']);
      expect((await store.readStream(id, { fromVersion: 1 })).map((e) => e.type)).toEqual(['Late']);
    });
  });
}
