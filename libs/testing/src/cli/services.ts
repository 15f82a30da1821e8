// `npm run services`: starts every backing service whose env var is unset, prints the `export` lines to
// point the app and tests at them, and keeps them up until Ctrl-C.
import { startClickHouse, type ClickHouseHandle } from '../clickhouse';
import { errorMessage, logProgress } from '../host';
import { startKafka, type KafkaHandle } from '../kafka';
import { startPostgres, type PostgresHandle } from '../postgres';
import { startRedis, type RedisHandle } from '../redis';

interface Running {
  postgres?: PostgresHandle;
  redis?: RedisHandle;
  kafka?: KafkaHandle;
  clickhouse?: ClickHouseHandle;
}

async function timed<T>(name: string, start: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const result = await start();
  logProgress(`${name} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return result;
}

async function stopAll(running: Running): Promise<void> {
  await Promise.all([
    running.kafka?.stop(),
    running.redis?.stop(),
    running.postgres?.stop(),
    running.clickhouse?.stop(),
  ].map((stopping) => stopping?.catch((error: unknown) => logProgress(`stop failed: ${errorMessage(error)}`))));
}

async function main(): Promise<void> {
  const running: Running = {};
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logProgress(`${signal}: stopping services`);
    void stopAll(running).then(() => {
      logProgress('all services stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const results = await Promise.allSettled([
    process.env.DATABASE_URL ? undefined : timed('Postgres', () => startPostgres()).then((handle) => (running.postgres = handle)),
    process.env.REDIS_URL ? undefined : timed('Redis', () => startRedis()).then((handle) => (running.redis = handle)),
    process.env.KAFKA_BROKERS ? undefined : timed('Kafka', () => startKafka()).then((handle) => (running.kafka = handle)),
    process.env.CLICKHOUSE_URL ? undefined : timed('chDB', () => startClickHouse()).then((handle) => (running.clickhouse = handle)),
  ]);
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    for (const failure of failures) logProgress(`failed: ${errorMessage(failure.reason)}`);
    await stopAll(running);
    process.exit(1);
  }
  if (stopping) return;

  if (running.clickhouse) {
    // chDB is an in-process engine: it cannot be shared over the network, only proven to work here.
    const result = await running.clickhouse.client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
    const [{ version }] = await result.json<{ version: string }>();
    await running.clickhouse.stop();
    running.clickhouse = undefined;
    logProgress(`chDB ${version} works; it runs inside each process, so leave CLICKHOUSE_URL unset to use it`);
  }

  const lines = [
    running.postgres && `export DATABASE_URL=${running.postgres.url}`,
    running.redis && `export REDIS_URL=${running.redis.url}`,
    running.kafka && `export KAFKA_BROKERS=${running.kafka.brokers.join(',')}`,
  ].filter(Boolean);
  process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '# every service is configured through env vars; nothing started\n');
  logProgress('services are running; press Ctrl-C to stop them');
  setInterval(() => undefined, 1 << 30); // keeps the event loop alive until a signal arrives
}

main().catch((error: unknown) => {
  logProgress(`failed: ${errorMessage(error)}`);
  process.exit(1);
});
