import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { seedDemoUsers } from '@vigil/application';
import { loadConfig } from '@vigil/config';
import { RedisHandle, startRedis } from '@vigil/testing';
import { startRuntime, VigilRuntime } from '../../apps/vigil/src/runtime/vigil-runtime';
import { BenchPostgres } from '../lib/postgres';
import { note } from '../lib/progress';

export const WEBHOOK_SECRET = 'saga-bench-secret';

/** Stands in for the system a db.failover is handed to: answers 200 at once and counts the calls. */
export interface EffectReceiver {
  readonly url: string;
  readonly calls: () => number;
  close(): Promise<void>;
}

export async function startEffectReceiver(): Promise<EffectReceiver> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `effect-${calls}` }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/failover`,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface BenchSystem {
  readonly runtime: VigilRuntime;
  readonly receiver: EffectReceiver;
  readonly postgres: BenchPostgres;
  readonly redisUrl: string;
  close(): Promise<void>;
}

/**
 * The real server runtime, as `npm start` runs it minus HTTP and ClickHouse: saga host, execution worker and
 * dispatcher, projections, sealer — on a fresh migrated database (the harness's embedded Postgres, or
 * DATABASE_URL) and a private redis-server (the bench never touches a shared REDIS_URL).
 * db.failover goes to a local receiver through the webhook executor. The demo users are seeded (the execution's
 * pre-run check looks the approvers up).
 */
export async function startBenchSystem(): Promise<BenchSystem> {
  const postgres = await BenchPostgres.start();
  let redis: RedisHandle | undefined;
  let receiver: EffectReceiver | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-saga-'));
  try {
    const database = await postgres.freshDatabase();
    redis = await startRedis({ ignoreEnv: true });
    note(`redis: private server at ${redis.url}`);
    receiver = await startEffectReceiver();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      VIGIL_DATA_DIR: dataDir,
      PORT: '0',
      VIGIL_WEBHOOK_URL: receiver.url,
      VIGIL_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    const logger = pino({ level: process.env.VIGIL_BENCH_LOG_LEVEL ?? 'silent' });
    const runtime = await startRuntime(loadConfig(env), logger, { server: true, clickhouse: false, env });
    await seedDemoUsers(runtime.users, runtime.store, new Date().toISOString());
    const started = { redis, receiver };
    return {
      runtime,
      receiver,
      postgres,
      redisUrl: redis.url,
      async close() {
        await runtime.stop().catch((error: unknown) => note(`stopping the runtime: ${String(error)}`));
        await started.receiver.close();
        await started.redis.stop();
        rmSync(dataDir, { recursive: true, force: true });
        await postgres.close();
      },
    };
  } catch (error) {
    await receiver?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await postgres.close();
    throw error;
  }
}
