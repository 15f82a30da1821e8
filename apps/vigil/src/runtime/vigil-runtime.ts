import { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { VigilConfig } from '@vigil/config';
import { createAppPool, createReadModelDataSource, runMigrations } from '@vigil/database';
import { AuditSealer, EventStore, keyIdOf, loadSigningKey, PostgresEventStore, publicKeyFromPem, SigningKey } from '@vigil/event-store';
import { ProjectionRunner, projections, readModelEntities } from '@vigil/read-models';
import { ClickHouseClient } from '@clickhouse/client';
import Redis from 'ioredis';
import { ApprovalPolicy } from '@vigil/domain/approval';
import { CommandBus, loadApprovalPolicy, UsersRepository } from '@vigil/application';
import { ExecutionQueue, ExecutionWorker, LeaseSweeper, PostgresExecutionLeaseIndex } from '@vigil/execution-worker';
import { executorsFromEnv } from './executors';
import { executionDispatch } from './execution-dispatch.projection';
import { ApprovalSagaHost } from '@vigil/saga-host';
import { ChannelRegistry } from '@vigil/saga-host';
import { LogChannel, WebhookChannel } from '@vigil/notifications';
import { pendingApprovalDeadlines } from '@vigil/read-models';
import { KafkaTelemetryBus, OtlpGrpcReceiver, TelemetryPipeline } from '@vigil/telemetry';
import { ClickHouseRedMinutes } from '../features/detection/clickhouse-red-minutes';
import { DetectionRunner } from '../features/detection/detection-runner';
import { loadSlos } from '../features/detection/slo-config';
import { Investigations } from '../features/investigations/investigations';
import { blastRadiusRiskAssessor, parseFreezeWindows } from '../features/investigations/blast-radius-risk-assessor';
import { resolveClickHouse, resolveDatabase, resolveRedis, StartedService } from './embedded-services';
import { Integrations, startIntegrations } from '../features/deliveries/integrations';

/** Everything the process holds: connections, background workers and the children it started. */
export interface VigilRuntime {
  readonly config: VigilConfig;
  readonly databaseUrl: string;
  readonly pool: Pool;
  readonly store: EventStore;
  readonly dataSource: DataSource;
  /** The one path commands take to aggregates. */
  readonly bus: CommandBus;
  readonly users: UsersRepository;
  readonly policy: ApprovalPolicy;
  readonly signingKey: SigningKey;
  /** True when this start generated the key (first run of an embedded install). */
  readonly signingKeyGenerated: boolean;
  readonly trustedKeys: ReadonlyMap<string, KeyObject>;
  /** Only in the server: one-shot CLI commands don't open Redis or chDB (chDB allows one process per data dir). */
  readonly redis?: Redis;
  readonly redisUrl?: string;
  readonly clickhouse?: ClickHouseClient;
  readonly started: readonly StartedService[];
  /** Only in the server: where approved actions are queued for the execution worker. */
  readonly executionQueue?: ExecutionQueue;
  /** Platforms the executors can reach (ArgoCD, Kubernetes, webhook). */
  readonly executorsConfigured: readonly string[];
  /** Only in the server: Slack, PagerDuty, Jira, alert intake, silences and the delivery queues. */
  readonly integrations?: Integrations;
  /** Only with ClickHouse: OTLP receivers → bus → processor → ClickHouse. */
  readonly telemetry?: TelemetryPipeline;
  readonly grpcReceiver?: OtlpGrpcReceiver;
  /** Only with ClickHouse: RED minutes → anomalies. */
  readonly detection?: DetectionRunner;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** Server mode: Redis, ClickHouse, projections and the sealer. One-shot CLI commands need only the database. */
  readonly server: boolean;
  /**
   * Open ClickHouse in server mode (default true); API-only tests turn it off. 'shared-engine': use the process's
   * one chDB engine (tests, isolated by CLICKHOUSE_DATABASE) instead of a data dir of our own.
   */
  readonly clickhouse?: boolean | 'shared-engine';
  /** Run the investigation worker in this process (default true); specs of the worker itself turn it off. */
  readonly investigations?: boolean;
  /** Environment for the approval policy and executor settings (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export async function startRuntime(config: VigilConfig, logger: Logger, options: RuntimeOptions): Promise<VigilRuntime> {
  const started: StartedService[] = [];
  const stopStarted = async () => {
    for (const service of [...started].reverse()) await service.stop().catch((error) => logger.error({ err: error }, `stopping ${service.name}`));
  };
  try {
    // Fail fast on a bad policy before starting anything heavy.
    const policy = loadApprovalPolicy(options.env ?? process.env);
    const databaseUrl = await resolveDatabase(config, started);
    const applied = await runMigrations(databaseUrl);
    if (applied.length) logger.info({ migrations: applied }, 'applied migrations');

    const { key: signingKey, generatedAt } = loadSigningKey({ pem: config.VIGIL_SIGNING_KEY, file: config.signingKeyFile, generateIfMissing: !config.VIGIL_SIGNING_KEY });
    if (generatedAt) logger.warn({ keyId: signingKey.keyId, file: generatedAt }, `generated a new audit signing key at ${generatedAt} (public key next to it); back it up`);
    const trustedKeys = new Map<string, KeyObject>([[signingKey.keyId, signingKey.publicKey]]);
    for (const file of (config.VIGIL_TRUSTED_KEYS ?? '').split(',').filter(Boolean)) {
      const key = publicKeyFromPem(readFileSync(file.trim(), 'utf8'));
      trustedKeys.set(keyIdOf(key), key);
    }

    const redisUrl = options.server ? await resolveRedis(config, started) : undefined;
    // BullMQ needs maxRetriesPerRequest: null on connections it blocks on; the same settings suit health checks.
    const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: null }) : undefined;
    redis?.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
    const clickhouse = options.server && options.clickhouse !== false
      ? await resolveClickHouse(config, started, { shareProcessEngine: options.clickhouse === 'shared-engine' })
      : undefined;

    const urls = { ownerUrl: databaseUrl, appUrl: config.DATABASE_APP_URL };
    const pool = createAppPool(urls, { max: 20 });
    const store = new PostgresEventStore(pool);
    const dataSource = await createReadModelDataSource(urls, readModelEntities);
    const bus = new CommandBus(store);
    const users = new UsersRepository(pool);

    const runners = options.server
      ? projections.map((projection) => new ProjectionRunner(dataSource, store, projection, { onError: (error) => logger.error({ err: error, projection: projection.name }, 'projection failed; retrying') }))
      : [];
    runners.forEach((runner) => runner.start());
    const sealer = options.server
      ? new AuditSealer(pool, signingKey, { intervalMs: config.VIGIL_SEAL_INTERVAL_MS, maxEventsPerCheckpoint: config.VIGIL_SEAL_MAX_EVENTS, onError: (error) => logger.error({ err: error }, 'audit sealer failed; retrying') })
      : undefined;
    sealer?.start();

    const executors = executorsFromEnv(options.env ?? process.env);
    const workerLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger[level](fields ?? {}, message);
    // One key prefix per deployment, so several Vigils (or test instances) can share a Redis without stealing jobs.
    const prefix = config.VIGIL_QUEUE_PREFIX;
    const executionQueue = redis ? new ExecutionQueue({ connection: redis, prefix }) : undefined;
    const executionWorker = redis
      ? new ExecutionWorker({ connection: redis, prefix, bus, store, executors: executors.registry, users, policy, log: workerLog })
      : undefined;
    const leaseSweeper = executionQueue ? new LeaseSweeper({ bus, queue: executionQueue, index: new PostgresExecutionLeaseIndex(pool), log: workerLog }) : undefined;
    leaseSweeper?.start();
    const dispatcher = executionQueue
      ? new ProjectionRunner(dataSource, store, executionDispatch(executionQueue), { onError: (error) => logger.error({ err: error }, 'execution dispatch failed; retrying') })
      : undefined;
    dispatcher?.start();

    const env = options.env ?? process.env;
    const freezeWindows = (() => {
      try {
        return parseFreezeWindows(config.VIGIL_FREEZE_WINDOWS);
      } catch (error) {
        throw new Error(`VIGIL_FREEZE_WINDOWS: ${(error as Error).message}`);
      }
    })();
    const channels: ChannelRegistry = { log: new LogChannel(logger) };
    if (env.VIGIL_NOTIFY_WEBHOOK_URL) {
      if (!env.VIGIL_NOTIFY_WEBHOOK_SECRET) throw new Error('VIGIL_NOTIFY_WEBHOOK_URL is set but VIGIL_NOTIFY_WEBHOOK_SECRET is not');
      channels.webhook = new WebhookChannel({ url: env.VIGIL_NOTIFY_WEBHOOK_URL, secret: env.VIGIL_NOTIFY_WEBHOOK_SECRET });
    }
    const integrations = redis ? await startIntegrations({ env, pool, store, bus, users, redis, prefix, logger, channels }) : undefined;
    const saga = redis
      ? new ApprovalSagaHost(
          { pool, store, bus, policy, redis, channels, logger, pendingApprovals: { pendingApprovalDeadlines: () => pendingApprovalDeadlines(dataSource.manager) } },
          {
            saga: {
              ...(env.VIGIL_VERIFY_DELAY_MS ? { verifyDelayMs: Number(env.VIGIL_VERIFY_DELAY_MS) } : {}),
              // Policy tier raised by the proposal's blast radius (traffic, dependents, replicas) and change freezes.
              assess: blastRadiusRiskAssessor(freezeWindows),
            },
            timers: { prefix },
            // Escalation notices about a silenced anomaly are recorded as suppressed instead of sent.
            ...(integrations ? { notifier: { suppressions: integrations.silences } } : {}),
            // Bounds how late a timer Redis lost can fire (the reconciler re-arms it).
            reconcileIntervalMs: config.VIGIL_TIMER_RECONCILE_MS,
          },
        )
      : undefined;
    await saga?.start();
    // InvestigationOpened → a queued job: gather evidence from ClickHouse, record findings, conclude, propose.
    const investigations = redis && options.investigations !== false
      ? new Investigations(
          { dataSource, store, bus, redis, logger, executors: executors.registry, ...(clickhouse ? { clickhouse: { client: clickhouse, database: config.CLICKHOUSE_DATABASE } } : {}) },
          { queue: { prefix, groupWaitMs: config.VIGIL_INVESTIGATION_GROUP_WAIT_MS } },
        )
      : undefined;
    investigations?.start();
    // Redis came back (restart, failover, network): re-arm lost timers now rather than at the next interval.
    redis?.on('ready', () => void saga?.reconciler.reconcileOnce().catch((error) => logger.warn({ err: error }, 'timer reconciliation after reconnect failed')));
    // In-process appends wake the followers at once instead of at their next poll.
    const stopWaking = store.onAppended(() => {
      saga?.poke();
      dispatcher?.poke();
      investigations?.poke();
      runners.forEach((runner) => runner.poke());
    });

    // OTLP/HTTP → bus (Kafka with KAFKA_BROKERS, else in-process) → ClickHouse.
    const telemetry = clickhouse
      ? new TelemetryPipeline({
          clickhouse,
          bus: config.KAFKA_BROKERS ? new KafkaTelemetryBus({ brokers: config.KAFKA_BROKERS.split(',') }) : undefined,
          receiver: { port: config.OTLP_HTTP_PORT, host: config.HOST },
          schema: { database: config.CLICKHOUSE_DATABASE, ttlDays: config.CLICKHOUSE_TTL_DAYS, ...(config.CLICKHOUSE_CLUSTER ? { cluster: config.CLICKHOUSE_CLUSTER } : {}) },
          processor: {
            enrichment: { defaultEnvironment: config.VIGIL_DEFAULT_ENVIRONMENT },
            sampling: {
              rate: config.VIGIL_SAMPLING_RATE,
              decisionWaitMs: config.VIGIL_SAMPLING_DECISION_WAIT_MS,
              slowThresholdMs: config.VIGIL_SAMPLING_SLOW_MS,
              slowThresholdMsByService: Object.fromEntries((config.VIGIL_SAMPLING_SLOW_MS_BY_SERVICE ?? '').split(',').filter(Boolean).map((pair) => {
                const [service, ms] = pair.split('=');
                return [service.trim(), Number(ms)];
              })),
            },
          },
        })
      : undefined;
    await telemetry?.start();
    // OTLP/gRPC shares the pipeline's bus: same decode path, same backpressure (UNAVAILABLE + RetryInfo).
    const grpcReceiver = telemetry ? new OtlpGrpcReceiver({ bus: telemetry.bus, port: config.OTLP_GRPC_PORT, host: config.HOST, onError: (error) => logger.error({ err: error }, 'OTLP/gRPC receiver error') }) : undefined;
    await grpcReceiver?.start();
    if (grpcReceiver) started.push({ name: 'OTLP/gRPC receiver', where: `${grpcReceiver.address} (collector trace, logs and metrics services)`, stop: async () => undefined });
    // RED minutes → anomalies (and SLO burn-rate alerts), one active detector per database.
    const detection = clickhouse
      ? new DetectionRunner({
          source: new ClickHouseRedMinutes(clickhouse, config.CLICKHOUSE_DATABASE),
          bus,
          pool,
          slos: loadSlos(config.VIGIL_SLO_FILE),
          logger,
          intervalMs: config.VIGIL_DETECTION_INTERVAL_MS,
        })
      : undefined;
    detection?.start();
    if (telemetry) started.push({ name: 'OTLP/HTTP receiver', where: `http://localhost:${telemetry.receiver?.port ?? config.OTLP_HTTP_PORT}/v1/{traces,logs,metrics} → ${config.KAFKA_BROKERS ? `Kafka ${config.KAFKA_BROKERS}` : 'in-process bus'} → ClickHouse`, stop: async () => undefined });

    return {
      config,
      databaseUrl,
      pool,
      store,
      dataSource,
      bus,
      users,
      policy,
      signingKey,
      signingKeyGenerated: generatedAt !== undefined,
      trustedKeys,
      redis,
      redisUrl,
      clickhouse,
      started,
      executionQueue,
      executorsConfigured: executors.configured,
      integrations,
      telemetry,
      grpcReceiver,
      detection,
      async stop() {
        stopWaking();
        await detection?.stop();
        await grpcReceiver?.stop();
        await telemetry?.stop();
        await saga?.stop();
        await investigations?.stop();
        await integrations?.stop();
        await dispatcher?.stop();
        await leaseSweeper?.stop();
        await executionWorker?.close();
        await executionQueue?.close();
        await sealer?.stop();
        await Promise.all(runners.map((runner) => runner.stop()));
        await dataSource.destroy();
        await store.close();
        await pool.end();
        redis?.disconnect();
        await stopStarted();
      },
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
