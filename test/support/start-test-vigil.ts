import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import pino from 'pino';
import { seedDemoUsers } from '@vigil/application';
import { loadConfig } from '@vigil/config';
import { createTestDatabase } from '@vigil/testing';
import { createHttpApp } from '../../apps/vigil/src/http-app';
import { INVESTIGATION_QUEUE_NAME } from '../../apps/vigil/src/features/investigations/investigation-queue';
import { startRuntime, VigilRuntime } from '../../apps/vigil/src/runtime/vigil-runtime';
import { jsonRequest } from './json-request';

export interface TestVigil {
  readonly base: string;
  readonly runtime: VigilRuntime;
  readonly app: INestApplication;
  readonly databaseUrl: string;
  /** Demo users' tokens by name: alice (responder), lee (team-lead), sara (sre), mo (manager), vera (vp-eng), audrey (auditor), admin. */
  readonly tokens: Record<string, string>;
  /** The app's warn and error log lines, newest last (a spec prints them on a miss; the app logs nothing else here). */
  warnings(): readonly string[];
  /** The investigation queue's job counts and its failed jobs' reasons, one line (a spec prints it on a miss). */
  investigationQueue(): Promise<string>;
  /** With `{ clickhouse: true }`: the OTLP/HTTP receiver's base URL (POST `${otlpHttpUrl}/v1/traces`). */
  readonly otlpHttpUrl?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs read response bodies freely
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export interface TestVigilOptions {
  /**
   * Run the telemetry path too: the process's chDB engine with a fresh ClickHouse database, the OTLP/HTTP receiver
   * on a free port, detection and investigations. Off by default (API-only specs start faster).
   */
  readonly clickhouse?: boolean;
  /** Run the investigation worker (default true). */
  readonly investigations?: boolean;
}

/** The real app on a fresh database (from the jest harness), real Redis, over real HTTP on a free port. */
export async function startTestVigil(env: Record<string, string> = {}, options: TestVigilOptions = {}): Promise<TestVigil> {
  const database = await createTestDatabase(undefined, { namePrefix: 'vigil_e2e' });
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
  const telemetryEnv = options.clickhouse ? { CLICKHOUSE_DATABASE: database.name, OTLP_HTTP_PORT: '0', OTLP_GRPC_PORT: '0', HOST: '127.0.0.1' } : {};
  // Investigations run at once unless a spec asks for the production group wait.
  const fullEnv = { ...process.env, VIGIL_QUEUE_PREFIX: database.name, VIGIL_INVESTIGATION_GROUP_WAIT_MS: '0', ...telemetryEnv, ...env, DATABASE_URL: database.url, VIGIL_DATA_DIR: dataDir, PORT: '0', VIGIL_SEAL_INTERVAL_MS: '500' };
  const config = loadConfig(fullEnv);
  // Warn and error lines are kept (bounded) for a failing spec to print; VIGIL_TEST_LOG_LEVEL sends everything to stdout.
  const warnings: string[] = [];
  const keepWarning = {
    write(line: string) {
      warnings.push(line.trimEnd());
      if (warnings.length > 500) warnings.shift();
    },
  };
  const logger = process.env.VIGIL_TEST_LOG_LEVEL ? pino({ level: process.env.VIGIL_TEST_LOG_LEVEL }) : pino({ level: 'warn' }, keepWarning);
  const runtime = await startRuntime(config, logger, { server: true, clickhouse: options.clickhouse ? 'shared-engine' : false, investigations: options.investigations, env: fullEnv });
  const seeded = (await seedDemoUsers(runtime.users, runtime.store, new Date().toISOString()))!;
  const app = await createHttpApp(runtime, logger);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const tokens = Object.fromEntries(Object.entries(seeded).map(([name, { token }]) => [name, token]));
  return {
    base,
    runtime,
    app,
    databaseUrl: database.url,
    tokens,
    warnings: () => warnings,
    async investigationQueue() {
      if (!runtime.redisUrl) return 'no Redis';
      const queue = new Queue(INVESTIGATION_QUEUE_NAME, { connection: { url: runtime.redisUrl }, prefix: config.VIGIL_QUEUE_PREFIX });
      try {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized');
        const failed = await queue.getFailed(0, 20);
        return `${JSON.stringify(counts)}${failed.map((job) => `\n  failed ${job.id} after ${job.attemptsMade} attempts: ${job.failedReason}`).join('')}`;
      } finally {
        await queue.close();
      }
    },
    ...(runtime.telemetry?.receiver ? { otlpHttpUrl: runtime.telemetry.receiver.url } : {}),
    request: (method, path, options) => jsonRequest(base, method, path, options),
    async stop() {
      await app.close();
      await runtime.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
