import 'reflect-metadata';
import { ConfigError, loadConfig, VigilConfig } from '@vigil/config';
import { Logger } from 'pino';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoUsers } from '@vigil/application';
import { createHttpApp } from './http-app';
import { createLogger } from './logging/logger';
import { startRuntime, VigilRuntime } from './runtime/vigil-runtime';

/** What a graceful shutdown must close, filled in as start-up progresses. */
const running: { http?: { close(): Promise<void> }; runtime?: VigilRuntime } = {};

function readConfig(): VigilConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function handleSignals(config: VigilConfig, logger: Logger) {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5000).unref();
    try {
      await running.http?.close();
      await running.runtime?.stop();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config.LOG_LEVEL);
  handleSignals(config, logger);

  const runtime = await startRuntime(config, logger, { server: true });
  running.runtime = runtime;
  const demoTokens = await seedDemoUsers(runtime.users, runtime.store, new Date().toISOString());
  const demoTokensFile = join(config.dataDir, 'demo-tokens.json');
  if (demoTokens) {
    writeFileSync(demoTokensFile, `${JSON.stringify(demoTokens, null, 2)}\n`, { mode: 0o600 });
    chmodSync(demoTokensFile, 0o600);
  }
  const http = await createHttpApp(runtime, logger);
  running.http = http;
  // Longer than the idle timeouts of load balancers and HTTP clients, so a pooled connection is never cut mid-reuse.
  const server = http.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await http.listen(config.PORT, config.HOST);

  const lines = [
    'Vigil is running',
    ...runtime.started.map((service) => `  ${service.name}: ${service.where}`),
    `  audit signing key: ${config.VIGIL_SIGNING_KEY ? 'from VIGIL_SIGNING_KEY' : config.signingKeyFile} (key id ${runtime.signingKey.keyId}${runtime.signingKeyGenerated ? ', generated now: back it up' : ''})`,
    `  HTTP: http://localhost:${config.PORT}/  (health /healthz, readiness /readyz, API docs /api/docs)`,
    ...(demoTokens ? [`  demo users seeded (${Object.keys(demoTokens).join(', ')}): tokens in ${demoTokensFile}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch(async (error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  await running.runtime?.stop().catch(() => undefined);
  process.exit(1);
});
