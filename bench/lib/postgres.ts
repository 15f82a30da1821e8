import { Client } from 'pg';
import { runMigrations } from '@vigil/database';
import { createTestDatabase, PostgresHandle, startPostgres, TestDatabase } from '@vigil/testing';
import { note } from './progress';

export interface BenchDatabase {
  /** Owner (superuser on the embedded server) URL of a fresh, migrated database. */
  readonly url: string;
  readonly name: string;
}

export interface ServerInfo {
  readonly version: string;
  readonly external: boolean;
  readonly settings: Record<string, string>;
}

/**
 * One Postgres server for a whole benchmark run (DATABASE_URL if set, otherwise the harness's embedded
 * server) and any number of fresh databases on it, all dropped by close() — also on Ctrl-C.
 */
export class BenchPostgres {
  private readonly databases: TestDatabase[] = [];
  private closing?: Promise<void>;
  private readonly onSignal = () => {
    note('\ninterrupted: dropping the bench databases…');
    void this.close().finally(() => process.exit(130));
  };

  private constructor(private readonly server: PostgresHandle) {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  static async start(): Promise<BenchPostgres> {
    const started = Date.now();
    const server = await startPostgres();
    note(server.external ? 'postgres: using DATABASE_URL' : `postgres: embedded server started in ${Date.now() - started} ms`);
    return new BenchPostgres(server);
  }

  /** A fresh database with every migration applied (as the owner, like a deploy). */
  async freshDatabase(): Promise<BenchDatabase> {
    const database = await createTestDatabase(this.server.url, { namePrefix: 'vigil_bench' });
    this.databases.push(database);
    await runMigrations(database.url);
    return { url: database.url, name: database.name };
  }

  /** Drops one database early, e.g. so its autovacuum cannot disturb the next measurement. */
  async drop(database: BenchDatabase): Promise<void> {
    const index = this.databases.findIndex((candidate) => candidate.name === database.name);
    if (index >= 0) await this.databases.splice(index, 1)[0].drop();
  }

  async info(): Promise<ServerInfo> {
    const client = new Client({ connectionString: this.server.url });
    await client.connect();
    try {
      const names = ['server_version', 'shared_buffers', 'fsync', 'synchronous_commit', 'full_page_writes', 'max_wal_size', 'work_mem'];
      const { rows } = await client.query<{ name: string; setting: string }>(
        `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1)`,
        [names],
      );
      const settings = Object.fromEntries(rows.map((row) => [row.name, row.setting]));
      return { version: settings.server_version, external: this.server.external, settings };
    } finally {
      await client.end();
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      process.removeListener('SIGINT', this.onSignal);
      process.removeListener('SIGTERM', this.onSignal);
      for (const database of this.databases.splice(0)) {
        await database.drop().catch((error: unknown) => note(`could not drop ${database.name}: ${String(error)}`));
      }
      await this.server.stop();
    })();
    return this.closing;
  }
}
