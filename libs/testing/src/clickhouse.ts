import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type * as ChdbConnectionModule from 'chdb/dist/connection';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isolateChdbSettings } from './chdb-settings';
import { hostProcess, onHostExit, processSingleton } from './host';
import { startWatchdog } from './service-process';

// Only reachable through package "exports", which moduleResolution "node" cannot see; types come from dist/.
const CHDB_CONNECTION_MODULE = 'chdb/connection';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface ClickHouseOptions {
  /** Use in-process chDB even when CLICKHOUSE_URL is set. */
  ignoreEnv?: boolean;
  /**
   * chDB data directory, kept on stop(). Default: one temp dir per OS process, removed when it exits.
   * chDB binds a single data dir per process: a different dir is rejected while another client is open.
   */
  dataDir?: string;
}

export interface ClickHouseHandle {
  client: ClickHouseClient;
  /** True when the client talks to CLICKHOUSE_URL rather than in-process chDB. */
  external: boolean;
  /** The chDB data directory (undefined for CLICKHOUSE_URL). */
  dataDir?: string;
  /** Closes the client. The default chDB dir lives until the process exits: other clients may share it. */
  stop(): Promise<void>;
}

/**
 * The per-process chDB directory. Kept on the host process so every Jest test file in a worker (each with
 * fresh module state) lands on the same dir, which the one in-process engine requires.
 */
function processChdbDir(): string {
  return processSingleton('chdbDir', () => {
    const dir = join(tmpdir(), `vigil-chdb-${hostProcess.pid}-${Date.now().toString(36)}`);
    mkdirSync(dir, { recursive: true });
    const marker = join(dir, '.vigil-owner.pid');
    writeFileSync(marker, `${hostProcess.pid}\n`);
    startWatchdog({ pidFile: marker, signal: 'none', removeDir: dir });
    onHostExit(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
}

/** A @clickhouse/client for CLICKHOUSE_URL if set, otherwise the same client API over in-process chDB. */
export async function startClickHouse(options: ClickHouseOptions = {}): Promise<ClickHouseHandle> {
  const envUrl = process.env.CLICKHOUSE_URL;
  if (envUrl && !options.ignoreEnv) {
    const client = createClient({ url: envUrl });
    return { client, external: true, stop: () => client.close() };
  }

  // Loaded lazily: the native engine is large and only needed when no ClickHouse server is configured.
  const { createChdbConnection } = (await import(CHDB_CONNECTION_MODULE)) as typeof ChdbConnectionModule;
  const dataDir = options.dataDir ? resolve(options.dataDir) : processChdbDir();
  mkdirSync(dataDir, { recursive: true });
  // chDB is typed against @clickhouse/client-common 1.23.0, the client against its own 1.23.1 copy: same shape.
  const connection = createChdbConnection({ path: dataDir }) as unknown as ClientConnection;
  const defaults = await settingDefaults(createClient({ connection }));
  const client = createClient({ connection: isolateChdbSettings(connection, defaults) });
  return { client, external: false, dataDir, stop: () => client.close() };
}

/** The engine's default of every setting (what a call that sets none gets on a server). */
async function settingDefaults(client: ClickHouseClient): Promise<Map<string, string>> {
  const result = await client.query({ query: 'SELECT name, default FROM system.settings', format: 'JSONEachRow' });
  return new Map((await result.json<{ name: string; default: string }>()).map((row) => [row.name, row.default]));
}
