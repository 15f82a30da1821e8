import { join } from 'node:path';
import { Client } from 'pg';
import { VigilConfig } from '@vigil/config';
import { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'node:crypto';
import { startClickHouse, postgresCanUseDataDir, startPostgres, startRedis } from '@vigil/testing';

export interface StartedService {
  readonly name: string;
  readonly where: string;
  stop(): Promise<void>;
}

// The harness's embedded superuser; the server only listens on 127.0.0.1.
const EMBEDDED_PASSWORD = 'password';
const EMBEDDED_DATABASE = 'vigil';

function embeddedUrl(port: number, database: string) {
  return `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * DATABASE_URL, or the embedded PostgreSQL in the data dir. A CLI run next to a running `npm start` reuses the
 * server already up on the embedded port instead of starting a second one on the same data dir.
 */
export async function resolveDatabase(config: VigilConfig, started: StartedService[]): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const port = config.EMBEDDED_POSTGRES_PORT;
  if (!(await answers(embeddedUrl(port, 'postgres')))) {
    const dataDir = embeddedPostgresDataDir(config.dataDir);
    const server = await startPostgres({ dataDir, port, persistent: true, ignoreEnv: true });
    started.push({ name: 'PostgreSQL (embedded-postgres)', where: `127.0.0.1:${port}, data in ${dataDir}`, stop: () => server.stop() });
  }
  const admin = new Client({ connectionString: embeddedUrl(port, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end();
  }
  return embeddedUrl(port, EMBEDDED_DATABASE);
}

export async function resolveRedis(config: VigilConfig, started: StartedService[]): Promise<string> {
  if (config.REDIS_URL) return config.REDIS_URL;
  const redis = await startRedis();
  started.push({ name: 'Redis (redis-server child process)', where: redis.url, stop: () => redis.stop() });
  return redis.url;
}

/**
 * <data dir>/postgres. As root, PostgreSQL runs as OS user "postgres", which cannot enter a checkout under a
 * private home (/root is 0700); the cluster then lives in /var/lib/vigil/<hash of the data dir> instead.
 */
function embeddedPostgresDataDir(vigilDataDir: string): string {
  const preferred = join(vigilDataDir, 'postgres');
  if (postgresCanUseDataDir(preferred)) return preferred;
  return join('/var/lib/vigil', `postgres-${createHash('sha256').update(vigilDataDir).digest('hex').slice(0, 12)}`);
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** CLICKHOUSE_URL, or chDB in-process with its data under the data dir (one chDB data dir per process). */
export async function resolveClickHouse(config: VigilConfig, started: StartedService[], options: { shareProcessEngine?: boolean } = {}): Promise<ClickHouseClient> {
  // Tests share the process's one chDB engine (its data dir) and isolate by database instead.
  const dataDir = options.shareProcessEngine ? undefined : join(config.dataDir, 'chdb');
  // With CLICKHOUSE_URL set the harness returns a client for that server instead.
  const clickhouse = await startClickHouse(config.CLICKHOUSE_URL ? {} : { ...(dataDir ? { dataDir } : {}), ignoreEnv: true });
  started.push({ name: config.CLICKHOUSE_URL ? 'ClickHouse client' : 'ClickHouse (chDB in-process)', where: config.CLICKHOUSE_URL ?? clickhouse.dataDir ?? '', stop: () => clickhouse.stop() });
  return clickhouse.client;
}
