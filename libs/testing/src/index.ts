// Real services for tests and local development; each start* honours its env var (DATABASE_URL, REDIS_URL,
// KAFKA_BROKERS, CLICKHOUSE_URL) and otherwise starts a private instance on free ports.
export { startPostgres, createTestDatabase, postgresCanUseDataDir } from './postgres';
export type { PostgresOptions, PostgresHandle, TestDatabase } from './postgres';
export { startRedis, pingRedis } from './redis';
export type { RedisOptions, RedisHandle } from './redis';
export { startKafka, kafkaAnswers } from './kafka';
export type { KafkaOptions, KafkaHandle } from './kafka';
export { resolveKafkaJars, vigilCacheDir, DEFAULT_KAFKA_VERSION } from './kafka-jars';
export type { KafkaJarsOptions } from './kafka-jars';
export { startClickHouse } from './clickhouse';
export type { ClickHouseOptions, ClickHouseHandle } from './clickhouse';
export { getFreePort, getFreePorts, isPortFree } from './ports';
export { waitFor, WaitTimeoutError } from './wait-for';
export type { WaitForOptions } from './wait-for';
export { findExecutable, requireExecutable, MissingDependencyError } from './executables';
