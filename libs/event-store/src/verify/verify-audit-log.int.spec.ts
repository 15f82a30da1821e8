import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { newEvent } from '../conformance';
import { chainHash, eventDigest } from '../hashing';
import { formatPosition, RecordedEvent, START } from '../port';
import { createPostgresFixture, PostgresFixture } from '../postgres/postgres-fixture';
import { AuditSealer, keyIdOf, signingKeyFromPem, SigningKey } from '../sealer';
import { verifyAuditLog } from './verify-audit-log';

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** Each case gets its own database: tampering is done as the owner with the append-only triggers disabled. */
describe('audit verify: tamper evidence', () => {
  let fx: PostgresFixture;
  let key: SigningKey;
  let trustedKeys: Map<string, KeyObject>;
  let streams: string[];

  beforeEach(async () => {
    fx = await createPostgresFixture();
    key = newSigningKey();
    trustedKeys = new Map([[key.keyId, key.publicKey]]);
    streams = [`approval-${randomUUID()}`, `execution-${randomUUID()}`];
    for (let i = 0; i < 6; i++) {
      const stream = streams[i % 2];
      await fx.store.append(stream, [newEvent(`E${i}`, { i, note: 'x'.repeat(i) })], i < 2 ? 'no_stream' : Math.floor(i / 2) - 1);
    }
    // The fence is cluster-wide: a transaction open elsewhere (a parallel test) can hold events back for a moment.
    await waitUntil(async () => (await fx.store.readAll(START, 100)).length === 6);
    const sealer = new AuditSealer(fx.app, key, { maxEventsPerCheckpoint: 4 });
    expect((await sealer.sealPending()).map((c) => c.eventCount)).toEqual([4, 2]);
    await sealer.stop();
  });
  afterEach(() => fx.teardown());

  const verify = () => verifyAuditLog(fx.app, { trustedKeys });
  const asOwner = async (sql: string, params: unknown[] = []) => {
    const client = await fx.owner.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE events DISABLE TRIGGER USER');
      await client.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
      await client.query(sql, params);
      await client.query('ALTER TABLE events ENABLE TRIGGER USER');
      await client.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const eventsOf = (stream: string) => fx.store.readStream(stream);
  const positionOf = (event: RecordedEvent) => formatPosition(event.position);

  it('reports an untouched log as intact, with its last checkpoint', async () => {
    const report = await verify();
    expect(report).toMatchObject({ intact: true, eventsChecked: 6, streamsChecked: 2, checkpointsChecked: 2, unsealedEvents: 0, failures: [] });
    expect(report.lastCheckpoint?.seq).toBe(2);
  });

  it('names the edited event when a row’s data is changed', async () => {
    const target = (await eventsOf(streams[1]))[1];
    await asOwner(`UPDATE events SET data = '{"i": 999}' WHERE event_id = $1`, [target.eventId]);
    const report = await verify();
    expect(report.intact).toBe(false);
    expect(report.firstBadPosition).toBe(positionOf(target));
    expect(report.failures[0]).toMatchObject({ kind: 'event-hash', streamId: streams[1], streamVersion: 1 });
  });

  it('catches a rewrite that recomputes the stream chain: the sealed checkpoint no longer matches', async () => {
    const events = await eventsOf(streams[0]);
    // The attacker rewrites event 1 and re-chains everything after it, so every stream check passes.
    let prev = events[0].hash!;
    for (const event of events.slice(1)) {
      const data = event.streamVersion === 1 ? { i: 999 } : event.data;
      const hash = chainHash(prev, event.streamVersion, eventDigest({ ...event, data }));
      await asOwner(`UPDATE events SET data = $2, prev_hash = $3, hash = $4 WHERE event_id = $1`, [event.eventId, JSON.stringify(data), prev, hash]);
      prev = hash;
    }
    const report = await verify();
    expect(report.intact).toBe(false);
    expect(report.firstBadPosition).toBeUndefined();
    expect(report.firstBadCheckpoint).toBe(1);
    expect(report.failures[0].kind).toBe('checkpoint-events');
  });

  it('catches a re-signed rewrite of the checkpoints by someone without the signing key', async () => {
    const forger = newSigningKey();
    await asOwner(`UPDATE audit_checkpoints SET key_id = $1, signature = 'AAAA' WHERE seq = 2`, [forger.keyId]);
    const report = await verify();
    expect(report.firstBadCheckpoint).toBe(2);
    expect(report.failures.map((f) => f.kind)).toContain('checkpoint-hash');
    expect(keyIdOf(forger.publicKey)).not.toBe(key.keyId);
  });

  it('names the event after a deleted one, and the checkpoint that sealed it', async () => {
    const [, deleted, next] = await eventsOf(streams[0]);
    await asOwner(`DELETE FROM events WHERE event_id = $1`, [deleted.eventId]);
    const report = await verify();
    expect(report.intact).toBe(false);
    expect(report.firstBadPosition).toBe(positionOf(next));
    expect(report.failures[0]).toMatchObject({ kind: 'version-gap', streamId: streams[0] });
    expect(report.firstBadCheckpoint).toBe(1);
  });

  it('detects a deleted last event of a stream through the checkpoint alone', async () => {
    const events = await eventsOf(streams[1]);
    await asOwner(`DELETE FROM events WHERE event_id = $1`, [events[events.length - 1].eventId]);
    const report = await verify();
    expect(report.intact).toBe(false);
    expect(report.firstBadPosition).toBeUndefined();
    expect(report.firstBadCheckpoint).toBe(2);
  });

  it('detects two events of a stream swapped in place', async () => {
    const [a, b] = await eventsOf(streams[0]);
    await asOwner(
      `UPDATE events SET stream_version = CASE WHEN event_id = $1 THEN $3::bigint ELSE $4::bigint END
        WHERE event_id IN ($1, $2)`,
      [a.eventId, b.eventId, 1000, 1001],
    );
    await asOwner(`UPDATE events SET stream_version = CASE WHEN stream_version = 1000 THEN 1 ELSE 0 END WHERE event_id IN ($1, $2)`, [a.eventId, b.eventId]);
    const report = await verify();
    expect(report.intact).toBe(false);
    // b now claims version 0, so the first break is at b's position.
    expect(report.firstBadPosition).toBe(positionOf(b));
  });

  it('detects events reordered in the global order through the checkpoint', async () => {
    const first = (await eventsOf(streams[0]))[0];
    const second = (await eventsOf(streams[1]))[0];
    // Swap both order keys of two events, so each takes the other's place in the global order.
    const swap = `UPDATE events SET transaction_id = $2::text::xid8, global_position = $3 WHERE event_id = $1`;
    await asOwner(`UPDATE events SET global_position = -1 WHERE event_id = $1`, [first.eventId]);
    await asOwner(swap, [second.eventId, first.position.commit.toString(), first.position.prepare.toString()]);
    await asOwner(swap, [first.eventId, second.position.commit.toString(), second.position.prepare.toString()]);
    const report = await verify();
    expect(report.intact).toBe(false);
    expect(report.firstBadCheckpoint).toBe(1);
    expect(report.failures.find((f) => f.checkpointSeq === 1)?.kind).toBe('checkpoint-events');
  });

  it('refuses checkpoints signed by a key that is not trusted', async () => {
    const report = await verifyAuditLog(fx.app, { trustedKeys: new Map([[key.keyId, newSigningKey().publicKey]]) });
    expect(report.firstBadCheckpoint).toBe(1);
    expect(report.failures[0].kind).toBe('checkpoint-signature');
  });
});

describe('audit sealer', () => {
  let fx: PostgresFixture;
  beforeAll(async () => {
    fx = await createPostgresFixture();
  });
  afterAll(() => fx.teardown());

  it('is single active: a second sealer idles while the first holds the lock, and takes over when it stops', async () => {
    const key = newSigningKey();
    const first = new AuditSealer(fx.app, key);
    const second = new AuditSealer(fx.app, key);
    // The visibility fence is cluster-wide: wait until an appended event is readable before sealing it.
    const appendVisible = async (type: string) => {
      const stream = `seal-${randomUUID()}`;
      await fx.store.append(stream, [newEvent(type)], 'no_stream');
      await waitUntil(async () => (await fx.store.readAll(START, 1000)).some((e) => e.streamId === stream));
    };
    try {
      expect(await first.tryBecomeActive()).toBe(true);
      expect(await second.tryBecomeActive()).toBe(false);
      await appendVisible('A');
      expect(await second.sealPending()).toEqual([]);
      expect(await first.sealPending()).toHaveLength(1);
      await first.stop();
      await appendVisible('B');
      const sealed = await second.sealPending();
      expect(sealed.map((c) => [c.seq, c.eventCount])).toEqual([[2, 1]]);
    } finally {
      // Release the lock sessions even when an expectation fails, or the pool cannot end.
      await first.stop();
      await second.stop();
    }
  });
});
