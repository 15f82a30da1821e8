import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AuditSealer, signingKeyFromPem } from '../sealer';
import { chainHash, eventDigest, GENESIS_HASH } from '../hashing';
import { newEvent } from '../conformance';
import { DuplicateEventError, RecordedEvent, START } from '../port';
import { createPostgresFixture, PostgresFixture } from './postgres-fixture';

/** Seals until a checkpoint exists (the cluster-wide fence may hold events back while other tests run). */
async function waitForSeal(sealer: AuditSealer) {
  for (let i = 0; i < 200 && (await sealer.sealPending()).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
}

describe('PostgreSQL event store', () => {
  let fx: PostgresFixture;
  beforeAll(async () => {
    fx = await createPostgresFixture();
  });
  afterAll(() => fx.teardown());

  it('chains every event of a stream to the previous one: hash = sha256(prev ‖ version ‖ digest(canonical event))', async () => {
    const id = `chain-${randomUUID()}`;
    await fx.store.append(id, [newEvent('A', { b: 1, a: 2 }), newEvent('B')], 'no_stream');
    await fx.store.append(id, [newEvent('C', { nested: { z: [1, 2], y: null } })], 1);
    const events = await fx.store.readStream(id);
    let prev = GENESIS_HASH;
    for (const event of events) {
      expect(event.prevHash).toBe(prev);
      expect(event.hash).toBe(chainHash(prev, event.streamVersion, eventDigest(event)));
      prev = event.hash!;
    }
  });

  it('refuses an event id already stored in another stream', async () => {
    const event = newEvent('A');
    await fx.store.append(`dup-a-${randomUUID()}`, [event], 'no_stream');
    await expect(fx.store.append(`dup-b-${randomUUID()}`, [event], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventError);
  });

  describe('append-only', () => {
    it('refuses UPDATE, DELETE and TRUNCATE by trigger even for the database owner', async () => {
      await fx.store.append(`ao-${randomUUID()}`, [newEvent('A')], 'no_stream');
      const { privateKey } = generateKeyPairSync('ed25519');
      const sealer = new AuditSealer(fx.app, signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()));
      await waitForSeal(sealer);
      await sealer.stop();
      await expect(fx.owner.query(`UPDATE events SET type = 'X'`)).rejects.toThrow(/VIGIL.APPEND_ONLY/);
      await expect(fx.owner.query(`DELETE FROM events`)).rejects.toThrow(/VIGIL.APPEND_ONLY/);
      await expect(fx.owner.query(`TRUNCATE events`)).rejects.toThrow(/VIGIL.APPEND_ONLY/);
      await expect(fx.owner.query(`DELETE FROM audit_checkpoints`)).rejects.toThrow(/VIGIL.APPEND_ONLY/);
      await expect(fx.owner.query(`UPDATE audit_checkpoints SET signature = ''`)).rejects.toThrow(/VIGIL.APPEND_ONLY/);
    });

    it('runs the application as a role with INSERT and SELECT only on the log', async () => {
      const { rows } = await fx.app.query<{ current_user: string }>('SELECT current_user');
      expect(rows[0].current_user).toBe('vigil_app');
      await expect(fx.app.query(`ALTER TABLE events DISABLE TRIGGER USER`)).rejects.toThrow(/must be owner/);
      const privileges = await fx.app.query<{ p: string }>(
        `SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p WHERE has_table_privilege('vigil_app', 'events', p)`,
      );
      expect(privileges.rows.map((r) => r.p)).toEqual(['SELECT', 'INSERT']);
    });
  });

  describe('global order fence', () => {
    it('never lets a subscriber skip a transaction that commits after a later one', async () => {
      const head = await fx.store.headPosition();
      const abort = new AbortController();
      const seen: RecordedEvent[] = [];
      const subscriber = (async () => {
        for await (const event of fx.store.subscribeToAll(head, { signal: abort.signal, pollIntervalMs: 10 })) {
          // Earlier tests' events may surface late: the fence is cluster-wide and other suites run in parallel.
          if (!event.streamId.startsWith('fence-')) continue;
          seen.push(event);
          if (seen.length === 2) abort.abort();
        }
      })();

      const first = await fx.app.connect();
      const second = await fx.app.connect();
      const appendIn = (client: typeof first, stream: string) =>
        client.query(
          `SELECT * FROM vigil_append($1, 'any', -1, $2::uuid[], ARRAY['Overlap'], ARRAY['{}'::jsonb], ARRAY[$3::jsonb], ARRAY[now()], ARRAY['d'])`,
          [stream, [randomUUID()], JSON.stringify({ actor: 'test', correlationId: 'c', recordedAt: new Date().toISOString(), schemaVersion: 1 })],
        );
      try {
        await first.query('BEGIN');
        await appendIn(first, `fence-first-${randomUUID()}`); // lower global_position, commits last
        await second.query('BEGIN');
        await appendIn(second, `fence-second-${randomUUID()}`);
        await second.query('COMMIT');
        // The second transaction is committed, but the fence holds it back while the first is in flight.
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(seen).toHaveLength(0);
        expect((await fx.store.readAll(head, 1000)).filter((e) => e.streamId.startsWith('fence-'))).toHaveLength(0);
        await first.query('COMMIT');
        await subscriber;
      } finally {
        first.release();
        second.release();
      }
      expect(seen.map((e) => e.streamId.split('-').slice(0, 2).join('-'))).toEqual(['fence-first', 'fence-second']);
      expect(seen[0].position.prepare < seen[1].position.prepare).toBe(true);
    });

    it('orders transaction ids as numbers, not text, across a power of ten (9 < 10 < 99 < 100)', async () => {
      const stream = `xid-order-${randomUUID()}`;
      const meta = JSON.stringify({ actor: 'test', correlationId: 'c', recordedAt: new Date().toISOString(), schemaVersion: 1 });
      // As the owner, place events at chosen transaction ids, all far below the fence of any cluster
      // (initdb alone uses hundreds of xids). As text they would sort 10, 100, 9, 99.
      for (const [version, xid] of [[0, '100'], [1, '9'], [2, '99'], [3, '10']] as const) {
        await fx.owner.query(
          `INSERT INTO events (transaction_id, stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash)
           VALUES ($1::text::xid8, $2, $3, $4, 'X', '{}', $5, now(), '', '')`,
          [xid, stream, version, randomUUID(), meta],
        );
      }
      const mine = (await fx.store.readAll(START, 100000)).filter((e) => e.streamId === stream);
      expect(mine.map((e) => e.position.commit)).toEqual([9n, 10n, 99n, 100n]);
      const afterFirst = (await fx.store.readAll(mine[0].position, 100000)).filter((e) => e.streamId === stream);
      expect(afterFirst.map((e) => e.position.commit)).toEqual([10n, 99n, 100n]);
    });

    it('reads from the start of the log', async () => {
      const all = await fx.store.readAll(START, 100000);
      expect(all.length).toBeGreaterThan(0);
    });
  });
});
