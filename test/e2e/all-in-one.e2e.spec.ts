import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createAppPool } from '@vigil/database';
import { PostgresEventStore } from '@vigil/event-store';
import { getFreePort, waitFor } from '@vigil/testing';

const ROOT = join(__dirname, '../..');
const REGISTER = join(ROOT, 'tools/register.js');

/** The environment a fresh machine has: none of Vigil's variables. */
function bareEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'REDIS_URL', 'CLICKHOUSE_URL', 'KAFKA_BROKERS', 'EVENTSTORE_URL', 'VIGIL_SIGNING_KEY', 'VIGIL_SIGNING_KEY_FILE']) delete env[name];
  return { ...env, ...extra };
}

function vigilCli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, ['-r', REGISTER, join(ROOT, 'apps/vigil/src/cli.ts'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

describe('all-in-one app (npm start with no environment)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let app: ChildProcess;
  let output = '';
  let base: string;
  let pgPort: number;
  let otlpPort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    chmodSync(dataDir, 0o755); // like a checkout's .vigil: the postgres OS user must be able to enter it
    const port = await getFreePort();
    pgPort = await getFreePort();
    otlpPort = await getFreePort();
    base = `http://127.0.0.1:${port}`;
    env = bareEnv({ VIGIL_DATA_DIR: dataDir, PORT: String(port), EMBEDDED_POSTGRES_PORT: String(pgPort), OTLP_HTTP_PORT: String(otlpPort), VIGIL_SEAL_INTERVAL_MS: '200' });
    app = spawn(process.execPath, ['-r', REGISTER, join(ROOT, 'apps/vigil/src/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    app.stdout!.on('data', (chunk) => (output += chunk));
    app.stderr!.on('data', (chunk) => (output += chunk));
    const started = Date.now();
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, {
      timeoutMs: 60_000,
      what: '/readyz to answer 200',
      failIf: () => (app.exitCode !== null ? `the app exited with ${app.exitCode}:\n${output}` : undefined),
    });
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  afterAll(async () => {
    if (app.exitCode === null) app.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz and /readyz with every dependency up', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { details: unknown };
    expect(ready.details).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' }, clickhouse: { status: 'up' } });
  });

  it('prints what it started and where, including the generated signing key', () => {
    expect(output).toContain('PostgreSQL (embedded-postgres)');
    expect(output).toContain('Redis (redis-server child process)');
    expect(output).toContain('ClickHouse (chDB in-process)');
    expect(output).toContain(join(dataDir, 'keys', 'audit-signing.key'));
    expect(output).toContain('generated now');
  });

  it('accepts OTLP/HTTP JSON traces on its receiver port', async () => {
    const span = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /health', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000' };
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'e2e' } }] }, scopeSpans: [{ spans: [span] }] }] };
    const response = await fetch(`http://127.0.0.1:${otlpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    const bad = await fetch(`http://127.0.0.1:${otlpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(bad.status).toBe(415);
  });

  it('serves the console UI at / (or says how to build it)', async () => {
    const built = existsSync(join(ROOT, 'apps/console/dist/index.html'));
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(built ? 200 : 503);
    expect(response.headers.get('content-type')).toMatch(built ? /text\/html/ : /text\/plain/);
  });

  it('seeds demo users on an empty database and writes their tokens (0600) to the data dir', async () => {
    const file = join(dataDir, 'demo-tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { roles: string[]; token: string }>;
    expect(Object.keys(tokens).sort()).toEqual(['admin', 'alice', 'audrey', 'lee', 'mo', 'sara', 'vera']);
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${tokens.lee.token}` } });
    expect(await me.json()).toMatchObject({ id: 'lee', roles: ['team-lead'] });
  });

  it('serves the OpenAPI document', async () => {
    const response = await fetch(`${base}/api/docs-json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { paths: Record<string, unknown> }).paths['/api/audit/verify']).toBeDefined();
  });

  it('verifies an intact log, then names the tampered position through both the CLI and the API', async () => {
    const owner = new Client({ connectionString: `postgres://postgres:password@127.0.0.1:${pgPort}/vigil` });
    await owner.connect();
    try {
      const stream = `approval-${randomUUID()}`;
      const appPool = createAppPool({ ownerUrl: `postgres://postgres:password@127.0.0.1:${pgPort}/vigil` });
      const store = new PostgresEventStore(appPool);
      for (let i = 0; i < 3; i++) {
        await store.append(stream, [{ eventId: randomUUID(), type: 'E', data: { i }, metadata: { actor: 'user:e2e', correlationId: 'c', recordedAt: new Date().toISOString(), schemaVersion: 1 } }], i - 1);
      }
      await appPool.end();
      const intact = vigilCli(env, 'audit', 'verify');
      expect(intact.stdout).toContain('INTACT');
      expect(intact.status).toBe(0);
      const auditor = { authorization: `Bearer ${JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')).audrey.token}` };
      expect((await fetch(`${base}/api/audit/verify`, { headers: auditor })).status).toBe(200);

      const { rows } = await owner.query(`SELECT transaction_id::text || ':' || global_position AS position FROM events WHERE stream_id = $1 AND stream_version = 1`, [stream]);
      await owner.query(`ALTER TABLE events DISABLE TRIGGER USER`);
      await owner.query(`UPDATE events SET type = 'Forged' WHERE stream_id = $1 AND stream_version = 1`, [stream]);
      await owner.query(`ALTER TABLE events ENABLE TRIGGER USER`);

      const tampered = vigilCli(env, 'audit', 'verify');
      expect(tampered.status).toBe(1);
      expect(tampered.stdout).toContain(`first bad position: ${rows[0].position}`);
      const api = await fetch(`${base}/api/audit/verify`, { headers: auditor });
      expect(api.status).toBe(409);
      expect(((await api.json()) as { firstBadPosition?: string }).firstBadPosition).toBe(rows[0].position);
    } finally {
      await owner.end();
    }
  });

  it('refuses a bad configuration value at start, naming the variable', () => {
    const result = spawnSync(process.execPath, ['-r', REGISTER, join(ROOT, 'apps/vigil/src/main.ts')], { env: { ...env, PORT: 'eighty' }, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT');
  });

  it('shuts down gracefully on SIGTERM and stops the children it started', async () => {
    const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
    app.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stillUp = await new Client({ connectionString: `postgres://postgres:password@127.0.0.1:${pgPort}/postgres`, connectionTimeoutMillis: 1000 })
      .connect()
      .then(() => true, () => false);
    expect(stillUp).toBe(false);
  });
});
