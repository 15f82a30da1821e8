import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EventStore, START } from '@vigil/event-store';
import { createReadModelDataSource } from '@vigil/database';
import { newEvent } from '../../../event-store/src/conformance';
import { createPostgresFixture, PostgresFixture } from '../../../event-store/src/postgres/postgres-fixture';
import { auditIndexProjection } from '../audit-index/audit-index.projection';
import { readModelEntities } from '../registry';
import { Projection } from './projection';
import { ProjectionRunner, readCheckpoint } from './projection-runner';
import { readModelChecksum, rebuildProjection } from './rebuild-projection';

const ROOT = join(__dirname, '../../../..');

async function appendMany(fx: PostgresFixture, streams: number, perStream: number) {
  for (let s = 0; s < streams; s++) {
    const stream = `approval-${randomUUID()}`;
    for (let v = 0; v < perStream; v++) {
      await fx.store.append(stream, [newEvent('VoteCast', { v }, { actor: `user:${s % 3}` })], v === 0 ? 'no_stream' : v - 1);
    }
  }
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('projection runner', () => {
  let fx: PostgresFixture;
  let dataSource: DataSource;
  const rows = async () => Number((await dataSource.query('SELECT count(*) AS n FROM audit_index'))[0].n);

  beforeEach(async () => {
    fx = await createPostgresFixture();
    dataSource = await createReadModelDataSource({ ownerUrl: fx.url }, readModelEntities);
  });
  afterEach(async () => {
    await dataSource.destroy();
    await fx.teardown();
  });

  it('projects every event once, in batches, with the checkpoint moved in the same transaction', async () => {
    await appendMany(fx, 5, 7);
    const runner = new ProjectionRunner(dataSource, fx.store, auditIndexProjection, { batchSize: 4 });
    let applied = 0;
    await waitFor('35 events applied', async () => (applied += await runner.catchUp()) === 35);
    expect(await rows()).toBe(35);
    const checkpoint = await readCheckpoint(dataSource.manager, 'audit-index');
    expect(checkpoint).toEqual((await fx.store.headPosition()));
    expect(await runner.catchUp()).toBe(0);
    await runner.stop();
  });

  it('applies a re-delivered batch only past its stored checkpoint (idempotent by position)', async () => {
    await appendMany(fx, 1, 6);
    const runner = new ProjectionRunner(dataSource, fx.store, auditIndexProjection, { batchSize: 100 });
    await waitFor('6 rows', async () => (await runner.catchUp()) >= 0 && (await rows()) === 6);
    await runner.stop();
    await appendMany(fx, 1, 2);
    // Both new events must be visible before the re-delivery (the fence is cluster-wide).
    await waitFor('8 visible events', async () => (await fx.store.readAll(START, 100)).length === 8);
    const applied: string[] = [];
    const recording: Projection = {
      ...auditIndexProjection,
      apply: async (events, manager) => {
        applied.push(...events.map((e) => e.eventId));
        await auditIndexProjection.apply(events, manager);
      },
    };
    // A store that always re-delivers from the very start, as a crashed reader might.
    const redelivering: EventStore = Object.assign(Object.create(fx.store) as EventStore, {
      readAll: (_after: unknown, limit: number) => fx.store.readAll(START, limit),
    });
    const second = new ProjectionRunner(dataSource, redelivering, recording, { batchSize: 100 });
    await second.catchUp();
    await second.stop();
    expect(applied).toHaveLength(2);
    expect(await rows()).toBe(8);
  });

  it('keeps one active runner per projection: a standby waits, and takes over when the active process is killed', async () => {
    const child: ChildProcess = spawn(process.execPath, ['-r', join(ROOT, 'tools/register.js'), join(ROOT, 'libs/read-models/src/testing/run-projection-in-child.ts')], {
      env: { ...process.env, CHILD_DATABASE_URL: fx.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let childOutput = '';
    child.stdout!.on('data', (chunk) => (childOutput += chunk));
    try {
      await waitFor('the child runner to become active', () => childOutput.includes('active'), 60_000);
      const standby = new ProjectionRunner(dataSource, fx.store, auditIndexProjection, { batchSize: 10, pollIntervalMs: 20, lockRetryMs: 50 });
      standby.start();
      await appendMany(fx, 3, 5);
      await waitFor('the child to project 15 events', async () => (await rows()) === 15);
      expect(standby.isActive).toBe(false);

      child.kill('SIGKILL');
      await waitFor('the standby to take over', () => standby.isActive);
      await appendMany(fx, 2, 5);
      await waitFor('the standby to project the new events', async () => (await rows()) === 25);
      const [{ distinct }] = await dataSource.query('SELECT count(DISTINCT event_id)::int AS distinct FROM audit_index');
      expect(distinct).toBe(25);
      await standby.stop();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('rebuilds from zero into a byte-identical read model', async () => {
    await appendMany(fx, 8, 6);
    const runner = new ProjectionRunner(dataSource, fx.store, auditIndexProjection, { batchSize: 7 });
    await waitFor('48 rows', async () => (await runner.catchUp()) >= 0 && (await rows()) === 48);
    await runner.stop();
    const before = await readModelChecksum(dataSource, auditIndexProjection);
    let progress = 0;
    const applied = await rebuildProjection(dataSource, fx.store, auditIndexProjection, { batchSize: 5, onProgress: (n) => (progress = n) });
    expect(applied).toBe(48);
    expect(progress).toBe(48);
    expect(await readModelChecksum(dataSource, auditIndexProjection)).toBe(before);
    expect(before).toMatch(/^audit_index:[0-9a-f]{32}$/);
  });
});
