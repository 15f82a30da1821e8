import { loadConfig } from '@vigil/config';
import { createLogger } from '../logging/logger';
import { startRuntime, VigilRuntime } from '../runtime/vigil-runtime';

/** Runs a one-shot command against the database (embedded or DATABASE_URL) and always releases it. */
export async function withRuntime<T>(work: (runtime: VigilRuntime) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const runtime = await startRuntime(config, logger, { server: false });
  try {
    return await work(runtime);
  } finally {
    await runtime.stop();
  }
}
