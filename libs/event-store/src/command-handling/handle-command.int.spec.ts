import { randomUUID } from 'node:crypto';
import { Decider, DomainCommand, DomainError, DomainEvent } from '@vigil/domain/shared';
import { ConcurrencyError, EventStore } from '../port';
import { createPostgresFixture, PostgresFixture } from '../postgres/postgres-fixture';
import { handleCommand } from './handle-command';

// A tiny tally used only to exercise the handler: each vote is counted once per voter.
type TallyEvent = DomainEvent<'VoteCounted', { by: string }>;
type TallyCommand = DomainCommand<'CountVote', { by: string }>;
interface Tally { voters: string[] }
const tally: Decider<Tally, TallyCommand, TallyEvent> = {
  initialState: () => ({ voters: [] }),
  evolve: (state, event) => ({ voters: [...state.voters, event.data.by] }),
  decide: (command, state) => {
    if (state.voters.includes(command.data.by)) throw new DomainError('TALLY.ALREADY_VOTED', 'conflict', 'already voted');
    return [{ type: 'VoteCounted', data: { by: command.data.by } }];
  },
};
const vote = (by: string, idempotencyKey?: string): TallyCommand => ({
  type: 'CountVote',
  data: { by },
  metadata: { now: '2026-11-21T10:00:00.000Z', actor: by, correlationId: 'corr-1', causationId: 'cause-1', idempotencyKey },
});

describe('handleCommand', () => {
  let fx: PostgresFixture;
  beforeAll(async () => {
    fx = await createPostgresFixture();
  });
  afterAll(() => fx.teardown());

  it('loads, folds, decides and appends with metadata from the command', async () => {
    const stream = `tally-${randomUUID()}`;
    const result = await handleCommand(fx.store, tally, stream, vote('alice'));
    expect(result.state.voters).toEqual(['alice']);
    const [stored] = await fx.store.readStream(stream);
    expect(stored.metadata).toMatchObject({ actor: 'alice', correlationId: 'corr-1', causationId: 'cause-1', recordedAt: '2026-11-21T10:00:00.000Z', schemaVersion: 1 });
  });

  it('appends nothing new when a command is repeated with the same idempotency key', async () => {
    const stream = `tally-${randomUUID()}`;
    const first = await handleCommand(fx.store, tally, stream, vote('bob', 'slack-retry-1'));
    const again = await handleCommand(fx.store, tally, stream, vote('bob', 'slack-retry-1'));
    expect(again.replayed).toBe(true);
    expect(again.recorded.map((e) => e.eventId)).toEqual(first.recorded.map((e) => e.eventId));
    expect(await fx.store.readStream(stream)).toHaveLength(1);
  });

  it('derives the same event ids from the same key, so racing duplicates collapse into one append', async () => {
    const stream = `tally-${randomUUID()}`;
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => handleCommand(fx.store, tally, stream, vote('carol', 'k-race'))));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await fx.store.readStream(stream)).toHaveLength(1);
  });

  it('retries on a version conflict and then decides on the fresh state', async () => {
    const stream = `tally-${randomUUID()}`;
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((by) => handleCommand(fx.store, tally, stream, vote(by), { maxRetries: 10 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    expect((await fx.store.readStream(stream)).map((e) => (e.data as { by: string }).by).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives up with ConcurrencyError after the bounded number of retries', async () => {
    const stream = `tally-${randomUUID()}`;
    let appends = 0;
    const alwaysConflicting: EventStore = Object.assign(Object.create(fx.store) as EventStore, {
      append: async () => {
        appends++;
        throw new ConcurrencyError(stream, '0', 1);
      },
    });
    await expect(handleCommand(alwaysConflicting, tally, stream, vote('dan'), { maxRetries: 2 })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(appends).toBe(3);
  });

  it('propagates domain errors without appending', async () => {
    const stream = `tally-${randomUUID()}`;
    await handleCommand(fx.store, tally, stream, vote('erin'));
    await expect(handleCommand(fx.store, tally, stream, vote('erin'))).rejects.toMatchObject({ code: 'TALLY.ALREADY_VOTED' });
    expect(await fx.store.readStream(stream)).toHaveLength(1);
  });
});
