import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from './executables';
import { getFreePort } from './ports';
import { ServiceProcess } from './service-process';
import { waitFor } from './wait-for';

export interface RedisOptions {
  /** Start a private server even when REDIS_URL is set (tests that kill or restart Redis). */
  ignoreEnv?: boolean;
  port?: number;
  startTimeoutMs?: number;
}

export interface RedisHandle {
  /** redis://127.0.0.1:PORT */
  url: string;
  /** True when the URL came from REDIS_URL: stop() is a no-op and kill()/restart() refuse. */
  external: boolean;
  stop(): Promise<void>;
  /** kill -9: the server vanishes mid-flight, like a crashed node. Its port stays reserved for restart(). */
  kill(): Promise<void>;
  /** kill -9 (if still running) and start an empty server on the same port ("Redis flushed and restarted"). */
  restart(): Promise<void>;
}

/** Sends one inline PING and resolves when the server answers +PONG. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let reply = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no PING reply within ${timeoutMs}ms`)));
    socket.once('error', fail);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      if (reply.startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected PING reply ${JSON.stringify(reply.trim())}`));
    });
  });
}

/** REDIS_URL if set, otherwise a throwaway redis-server child process on a free port. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisHandle> {
  const envUrl = process.env.REDIS_URL;
  if (envUrl && !options.ignoreEnv) return externalRedis(envUrl);

  const redisServer = requireExecutable('redis-server', 'apt-get install redis-server');
  const port = options.port ?? (await getFreePort());
  const dir = mkdtempSync(join(tmpdir(), 'vigil-redis-'));
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let server: ServiceProcess | undefined;

  const launch = async () => {
    const current = new ServiceProcess({
      name: 'redis-server',
      command: redisServer,
      // No RDB/AOF: a restart must come back empty, and tests should never touch the disk.
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
        '--daemonize', 'no', '--loglevel', 'warning'],
      cwd: dir,
      stateDir: dir,
      removeDirOnAbandon: dir,
    });
    server = current;
    await waitFor(() => pingRedis(port).then(() => true), {
      what: `redis-server on 127.0.0.1:${port} to answer PING`,
      timeoutMs: startTimeoutMs,
      failIf: () => current.failure(),
    });
  };
  const kill = async () => {
    await server?.stop('SIGKILL');
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    external: false,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await server?.stop('SIGTERM', 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function externalRedis(url: string): RedisHandle {
  const refuse = async () => {
    throw new Error(`Cannot kill or restart the external Redis at ${url} (REDIS_URL is set); use startRedis({ ignoreEnv: true })`);
  };
  return { url, external: true, stop: async () => undefined, kill: refuse, restart: refuse };
}
