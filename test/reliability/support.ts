import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import pino from 'pino';
import { seedDemoUsers } from '@vigil/application';
import { loadConfig } from '@vigil/config';
import { RecordedEvent, START } from '@vigil/event-store';
import { createTestDatabase, TestDatabase } from '@vigil/testing';
import { createHttpApp } from '../../apps/vigil/src/http-app';
import { startRuntime, VigilRuntime } from '../../apps/vigil/src/runtime/vigil-runtime';
import { jsonRequest } from '../support/json-request';

/**
 * What test/support/start-test-vigil.ts does, plus what the reliability specs need and that file does not offer:
 * start the app again on the SAME database and data dir (a restarted process), keeping the demo users' tokens.
 */
export interface ReliabilityVigil {
  readonly base: string;
  readonly runtime: VigilRuntime;
  readonly app: INestApplication;
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly queuePrefix: string;
  /** alice (responder), lee (team-lead), sara (sre), mo (manager), vera (vp-eng), audrey (auditor), admin. */
  readonly tokens: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs read response bodies freely
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  /** Stops the app and the runtime; the database and the data dir stay (see `drop`). */
  stop(): Promise<void>;
  /** Stops (if running), drops the database and removes the data dir. */
  drop(): Promise<void>;
}

export interface StartOptions {
  /** Environment on top of process.env (REDIS_URL, policy, executors…). */
  readonly env?: Record<string, string>;
  /** Start on the database and data dir of an earlier start (its users and tokens), instead of fresh ones. */
  readonly restartOf?: ReliabilityVigil;
}

export async function startVigil(options: StartOptions = {}): Promise<ReliabilityVigil> {
  const earlier = options.restartOf;
  const database: TestDatabase | undefined = earlier ? undefined : await createTestDatabase(undefined, { namePrefix: 'vigil_rel' });
  const databaseUrl = earlier?.databaseUrl ?? (database as TestDatabase).url;
  const dataDir = earlier?.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-rel-'));
  // One queue prefix per database (as start-test-vigil does), so apps sharing the suite's Redis never take each other's jobs.
  const queuePrefix = earlier?.queuePrefix ?? (database as TestDatabase).name;
  const fullEnv = { ...process.env, VIGIL_QUEUE_PREFIX: queuePrefix, ...options.env, DATABASE_URL: databaseUrl, VIGIL_DATA_DIR: dataDir, PORT: '0', VIGIL_SEAL_INTERVAL_MS: '500' };
  const logger = pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' });
  const runtime = await startRuntime(loadConfig(fullEnv), logger, { server: true, clickhouse: false, env: fullEnv });
  let tokens: Record<string, string>;
  if (earlier) {
    tokens = earlier.tokens;
  } else {
    const seeded = (await seedDemoUsers(runtime.users, runtime.store, new Date().toISOString()))!;
    tokens = Object.fromEntries(Object.entries(seeded).map(([name, { token }]) => [name, token]));
  }
  const app = await createHttpApp(runtime, logger);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  const handle: ReliabilityVigil = {
    base,
    runtime,
    app,
    databaseUrl,
    dataDir,
    queuePrefix,
    tokens,
    request: (method, path, requestOptions) => jsonRequest(base, method, path, requestOptions),
    stop() {
      stopped ??= (async () => {
        await app.close();
        await runtime.stop();
      })();
      return stopped;
    },
    async drop() {
      await handle.stop();
      if (!earlier) {
        await database?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return handle;
}

/** One POST as a local receiver saw it. */
export interface Arrival {
  readonly receivedAt: number;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- receivers read what the app sent
  readonly body: any;
}

/** A local HTTP server standing in for an external system: it answers 200 `{id}` and records every request. */
export interface Receiver {
  readonly url: string;
  readonly arrivals: Arrival[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      const receivedAt = Date.now();
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      arrivals.push({ receivedAt, path: request.url ?? '', headers: request.headers, raw, body });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `rcv-${arrivals.length}`, ok: true }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a policy file in a temp dir; returns its path and a cleanup. */
export function writePolicyFile(policy: unknown): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-'));
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify(policy, null, 2));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index], index);
  });
  await Promise.all(lanes);
  return results;
}

/** The whole log, in order. */
export async function readWholeLog(runtime: VigilRuntime, batch = 5000): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const events = await runtime.store.readAll(all.length ? all[all.length - 1].position : START, batch);
    all.push(...events);
    if (events.length < batch) return all;
  }
}

export const WEBHOOK_SECRET = 'reliability-spec-secret';
