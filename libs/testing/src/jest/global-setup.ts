import { logProgress } from '../host';
import { startPostgres, type PostgresHandle } from '../postgres';
import { startRedis, type RedisHandle } from '../redis';

/** What global-teardown must stop; globalSetup and globalTeardown share the Jest parent's globalThis. */
export interface StartedServices {
  postgres?: PostgresHandle;
  redis?: RedisHandle;
}

declare global {
  var __VIGIL_SERVICES__: StartedServices | undefined;
}

/** `--selectProjects unit` alone needs no services; skipping them keeps unit runs fast and dependency-free. */
function onlyUnitProjectSelected(argv: string[]): boolean {
  const selected: string[] = [];
  argv.forEach((arg, index) => {
    if (arg === '--selectProjects') {
      for (let next = index + 1; next < argv.length && !argv[next].startsWith('-'); next++) selected.push(argv[next]);
    } else if (arg.startsWith('--selectProjects=')) {
      selected.push(...arg.slice('--selectProjects='.length).split(','));
    }
  });
  return selected.length > 0 && selected.every((name) => name === 'unit');
}

/**
 * One embedded Postgres and one Redis for the whole run, unless DATABASE_URL / REDIS_URL already point
 * somewhere. Workers are forked after this and inherit the env vars. Kafka specs start their own broker.
 */
export default async function globalSetup(): Promise<void> {
  const services: StartedServices = {};
  globalThis.__VIGIL_SERVICES__ = services;
  if (onlyUnitProjectSelected(process.argv)) return;

  const startedAt = Date.now();
  const [postgres, redis] = await Promise.allSettled([
    process.env.DATABASE_URL ? undefined : startPostgres(),
    process.env.REDIS_URL ? undefined : startRedis(),
  ]);
  if (postgres.status === 'fulfilled' && postgres.value) services.postgres = postgres.value;
  if (redis.status === 'fulfilled' && redis.value) services.redis = redis.value;
  const failures = [postgres, redis].filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    await Promise.all([services.postgres?.stop(), services.redis?.stop()]);
    throw failures[0].reason;
  }

  if (services.postgres) process.env.DATABASE_URL = services.postgres.url;
  if (services.redis) process.env.REDIS_URL = services.redis.url;
  const started = [services.postgres && `Postgres ${services.postgres.url}`, services.redis && `Redis ${services.redis.url}`].filter(Boolean);
  if (started.length > 0) logProgress(`started ${started.join(', ')} in ${Date.now() - startedAt}ms`);
}
