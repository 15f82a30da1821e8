import 'reflect-metadata';
import { ConfigError, loadConfig } from '@vigil/config';
import { createHttpApp } from './http-app';
import { createLogger } from './logging/logger';
import { startRuntime, VigilRuntime } from './runtime/vigil-runtime';

let app: { close(): Promise<void> } | undefined;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let runtime: VigilRuntime | undefined;
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
      await app?.close();
      await runtime?.stop();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  runtime = await startRuntime(config, logger, { server: true });
  const http = await createHttpApp(runtime, logger);
  app = http;
  await http.listen(config.PORT, config.HOST);

  const lines = [
    'Vigil is running',
    ...runtime.started.map((service) => `  ${service.name}: ${service.where}`),
    `  audit signing key: ${config.VIGIL_SIGNING_KEY ? 'from VIGIL_SIGNING_KEY' : config.signingKeyFile} (key id ${runtime.signingKey.keyId})`,
    `  HTTP: http://localhost:${config.PORT}/  (health /healthz, readiness /readyz, API docs /api/docs)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
