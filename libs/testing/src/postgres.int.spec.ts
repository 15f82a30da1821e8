import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, startPostgres } from '@vigil/testing';

// Jest ignores testTimeout inside `projects` entries (only the top-level value is read), so int specs set their own.
jest.setTimeout(120_000);

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('Postgres', () => {
  it('is a real server behind DATABASE_URL (set by the Jest global setup)', async () => {
    expect(process.env.DATABASE_URL).toBeDefined();
    const [{ version }] = await query<{ version: string }>(process.env.DATABASE_URL as string, 'select version()');
    expect(version).toMatch(/^PostgreSQL \d+/);
  });

  it('gives each createTestDatabase() call its own database and drops it', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    try {
      expect(first.name).not.toBe(second.name);
      await query(first.url, 'create table only_in_first (id int primary key)');
      await query(first.url, 'insert into only_in_first values (1)');
      expect(await query(first.url, 'select id from only_in_first')).toEqual([{ id: 1 }]);
      await expect(query(second.url, 'select id from only_in_first')).rejects.toThrow(/does not exist/);
    } finally {
      await first.drop();
      await second.drop();
    }
    const remaining = await query(process.env.DATABASE_URL as string, `select datname from pg_database where datname in ('${first.name}', '${second.name}')`);
    expect(remaining).toEqual([]);
  });

  it('drops a database that still has open connections', async () => {
    const database = await createTestDatabase();
    const holder = new Client({ connectionString: database.url });
    holder.on('error', () => undefined); // the drop terminates this connection on purpose
    await holder.connect();
    await database.drop();
    const remaining = await query(process.env.DATABASE_URL as string, `select 1 from pg_database where datname = '${database.name}'`);
    expect(remaining).toEqual([]);
    await holder.end().catch(() => undefined);
  });

  it('starts a private throwaway server and removes its files on stop', async () => {
    const postgres = await startPostgres({ ignoreEnv: true });
    try {
      expect(postgres.url).toMatch(/^postgres:\/\/postgres:password@127\.0\.0\.1:\d+\/postgres$/);
      expect(postgres.url).not.toBe(process.env.DATABASE_URL);
      const [{ encoding }] = await query<{ encoding: string }>(postgres.url, `select current_setting('server_encoding') as encoding`);
      expect(encoding).toBe('UTF8');
    } finally {
      await postgres.stop();
    }
    await expect(query(postgres.url, 'select 1')).rejects.toThrow();
    expect(existsSync(postgres.dataDir as string)).toBe(false);
  });

  it('keeps and reuses a persistent data dir across restarts', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'vigil-pg-persistent-spec-'));
    const dataDir = join(parent, 'cluster');
    try {
      if (process.getuid?.() === 0) {
        // mkdtemp makes a 0700 dir that the "postgres" OS user cannot enter; the harness must say so.
        await expect(startPostgres({ ignoreEnv: true, dataDir, persistent: true })).rejects.toThrow(/cannot reach .* is not searchable/);
      }
      chmodSync(parent, 0o755);

      const first = await startPostgres({ ignoreEnv: true, dataDir, persistent: true });
      await query(first.url, 'create table survives_restart (note text)');
      await query(first.url, `insert into survives_restart values ('kept')`);
      await first.stop();
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

      const second = await startPostgres({ ignoreEnv: true, dataDir, persistent: true });
      try {
        expect(await query(second.url, 'select note from survives_restart')).toEqual([{ note: 'kept' }]);
      } finally {
        await second.stop();
      }
      // Without persistent, stop() would delete the dir, so an existing cluster is refused and left intact.
      await expect(startPostgres({ ignoreEnv: true, dataDir })).rejects.toThrow(/pass persistent: true/);
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('refuses to initialise a cluster over unrelated files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-pg-occupied-spec-'));
    try {
      writeFileSync(join(dataDir, 'notes.txt'), 'mine');
      mkdirSync(join(dataDir, 'nested'));
      await expect(startPostgres({ ignoreEnv: true, dataDir })).rejects.toThrow(/neither empty nor a Postgres cluster/);
      expect(existsSync(join(dataDir, 'notes.txt'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('returns DATABASE_URL untouched when it is set', async () => {
    const postgres = await startPostgres();
    expect(postgres).toMatchObject({ url: process.env.DATABASE_URL, external: true });
    await postgres.stop();
  });
});
