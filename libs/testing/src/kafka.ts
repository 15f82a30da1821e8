import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { requireExecutable } from './executables';
import { DEFAULT_KAFKA_VERSION, resolveKafkaJars } from './kafka-jars';
import { getFreePorts } from './ports';
import { OutputTail, ServiceProcess } from './service-process';
import { waitFor } from './wait-for';

export interface KafkaOptions {
  /** Start a private broker even when KAFKA_BROKERS is set (tests that restart the broker). */
  ignoreEnv?: boolean;
  /** Partitions of auto-created topics. Default 1. */
  numPartitions?: number;
  /** Default 3.9.1. */
  version?: string;
  /** Where resolved jars are cached; default $VIGIL_CACHE_DIR or ~/.cache/vigil. */
  cacheDir?: string;
  /** JVM max heap. Default 512. */
  heapMb?: number;
  /** Extra or overriding server.properties entries. */
  brokerProperties?: Record<string, string | number | boolean>;
  /** For one (re)start of the JVM; jar resolution has no timeout. Default 120 s. */
  startTimeoutMs?: number;
  /**
   * How long stop()/restart() wait for the JVM to exit after SIGTERM before SIGKILL. Default 30 s. The single-node
   * KRaft JVM can linger well after logging its clean shutdown: restart specs under load set a few seconds.
   */
  stopGraceMs?: number;
}

export interface KafkaHandle {
  /** host:port strings for kafkajs, e.g. ["127.0.0.1:40123"]. */
  brokers: string[];
  /** True when the brokers came from KAFKA_BROKERS: stop() is a no-op and kill()/restart() refuse. */
  external: boolean;
  stop(): Promise<void>;
  /** kill -9 the broker (a crash); ports and log dir are kept for restart(). */
  kill(): Promise<void>;
  /** Stops the broker gracefully (unless already dead) and starts it again on the same ports and log dir. */
  restart(): Promise<void>;
}

const JAVA_HINT = 'apt-get install openjdk-17-jdk-headless';

/** A Kafka cluster id: 16 random bytes, base64url, never starting with "-" so the CLI cannot take it for a flag. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(port: number, controllerPort: number, dataDir: string, options: KafkaOptions): string {
  const properties: Record<string, string | number | boolean> = {
    // Single node in KRaft mode: broker and its own controller quorum in one JVM.
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': options.numPartitions ?? 1,
    'auto.create.topics.enable': true,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1, // one partition loads fastest; tests do not need more coordinators
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0, // consumers in tests should not idle 3 s before their first assignment
    // After kill -9 the restarted broker must wait out its own stale registration (default 9 s session).
    'broker.heartbeat.interval.ms': 1_000,
    'broker.session.timeout.ms': 4_000,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024, // the default 128 MB would take a quarter of the heap
    ...options.brokerProperties,
  };
  return Object.entries(properties).map(([key, value]) => `${key}=${value}\n`).join('');
}

const LOG4J_PROPERTIES = `log4j.rootLogger=\${vigil.kafka.loglevel}, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

/** Whether a kafkajs admin can connect to `brokers` and list topics. */
export async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'vigil-testing-probe', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000, requestTimeout: 3_000, retry: { retries: 0 } });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function runToCompletion(command: string, args: string[], cwd: string, what: string): Promise<void> {
  const output = new OutputTail(what);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with code ${code}. Output:\n${output}`))));
  });
}

/**
 * KAFKA_BROKERS if set; otherwise a real Apache Kafka broker (KRaft, single node) on this machine's JDK,
 * with jars resolved from Maven Central once and cached.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaHandle> {
  const envBrokers = process.env.KAFKA_BROKERS;
  if (envBrokers && !options.ignoreEnv) return externalKafka(envBrokers);

  const java = requireExecutable('java', JAVA_HINT);
  const libsDir = await resolveKafkaJars({ version: options.version, cacheDir: options.cacheDir });
  const classpath = join(libsDir, '*');
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;

  const dir = mkdtempSync(join(tmpdir(), 'vigil-kafka-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j.properties');
  mkdirSync(join(dir, 'logs'));
  writeFileSync(log4jFile, LOG4J_PROPERTIES);
  // Serial GC: least overhead for a small heap on a 2-core machine. VIGIL_KAFKA_LOG_LEVEL=INFO helps debug
  // startup (shown with VIGIL_TESTING_DEBUG=1 or in the error when the broker dies).
  const jvmArgs = [`-Xmx${options.heapMb ?? 512}m`, '-Xms128m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-XX:-UsePerfData',
    '-Djava.awt.headless=true', '-Djava.net.preferIPv4Stack=true', `-Dvigil.kafka.loglevel=${process.env.VIGIL_KAFKA_LOG_LEVEL ?? 'WARN'}`,
    `-Dlog4j.configuration=file:${log4jFile}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`];

  let ports: number[] = [];
  let broker: ServiceProcess | undefined;
  const brokers = () => [`127.0.0.1:${ports[0]}`];

  const launch = async () => {
    const current = new ServiceProcess({ name: 'kafka', command: java, args: [...jvmArgs, '-cp', classpath, 'kafka.Kafka', configFile],
      cwd: dir, stateDir: dir, removeDirOnAbandon: dir });
    broker = current;
    await waitFor(() => kafkaAnswers(brokers()), {
      what: `Kafka broker on ${brokers()[0]} to list topics`,
      timeoutMs: startTimeoutMs,
      intervalMs: 250,
      failIf: () => current.failure(),
    });
  };
  const kill = async () => {
    await broker?.stop('SIGKILL');
  };

  try {
    // Storage is formatted once; restarts reuse it, so the broker comes back with its topics and offsets.
    for (let attempt = 1; ; attempt++) {
      ports = await getFreePorts(2);
      writeFileSync(configFile, serverProperties(ports[0], ports[1], dataDir, options));
      if (attempt === 1) {
        await runToCompletion(java, ['-Xmx256m', '-XX:-UsePerfData', `-Dlog4j.configuration=file:${log4jFile}`, '-cp', classpath,
          'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', configFile], dir, 'kafka-storage format');
      }
      try {
        await launch();
        break;
      } catch (error) {
        // The free ports were only free when picked; another process may have bound one since.
        const lostPortRace = broker?.output.includes('Address already in use') ?? false;
        await kill();
        if (!lostPortRace || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  const stopGraceMs = options.stopGraceMs ?? 30_000;
  return {
    brokers: brokers(),
    external: false,
    kill,
    async restart() {
      await broker?.stop('SIGTERM', stopGraceMs);
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await broker?.stop('SIGTERM', stopGraceMs);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function externalKafka(list: string): KafkaHandle {
  const brokers = list.split(',').map((broker) => broker.trim()).filter(Boolean);
  const refuse = async () => {
    throw new Error(`Cannot kill or restart external Kafka ${brokers.join(',')} (KAFKA_BROKERS is set); use startKafka({ ignoreEnv: true })`);
  };
  return { brokers, external: true, stop: async () => undefined, kill: refuse, restart: refuse };
}

export { DEFAULT_KAFKA_VERSION };
