import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from './executables';
import { hostProcess, logProgress } from './host';
import { OutputTail } from './service-process';

/** 3.x on purpose: kafkajs 2.2.4 speaks request versions that Kafka 4 removed. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export interface KafkaJarsOptions {
  version?: string;
  /** Default: $VIGIL_CACHE_DIR or ~/.cache/vigil. */
  cacheDir?: string;
}

export function vigilCacheDir(): string {
  return process.env.VIGIL_CACHE_DIR || join(homedir(), '.cache', 'vigil');
}

function runtimePom(version: string): string {
  // Kafka 3.x logs through the log4j 1.x API; slf4j-reload4j brings the maintained drop-in for it.
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.vigil.testing</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`;
}

/**
 * Directory holding the Kafka broker's jars (a java -cp "dir/*" classpath), resolved from Maven Central
 * with mvn on first use and cached, so later runs start the broker without the network.
 */
export async function resolveKafkaJars(options: KafkaJarsOptions = {}): Promise<string> {
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  const versionDir = join(options.cacheDir ?? vigilCacheDir(), `kafka-${version}`);
  const libsDir = join(versionDir, 'libs');
  if (existsSync(libsDir)) return libsDir;

  const mvn = requireExecutable('mvn', 'apt-get install maven');
  mkdirSync(versionDir, { recursive: true });
  writeFileSync(join(versionDir, 'pom.xml'), runtimePom(version));
  // Resolve into a private dir and rename: concurrent Jest workers may race, and a half-copied libs/ must never look complete.
  const stagingDir = join(versionDir, `libs.partial-${hostProcess.pid}`);
  rmSync(stagingDir, { recursive: true, force: true });

  logProgress(`resolving Kafka ${version} jars from Maven Central into ${libsDir} (first run only; may take minutes)`);
  const startedAt = Date.now();
  const heartbeat = setInterval(() => logProgress(`still resolving Kafka ${version} jars (${Math.round((Date.now() - startedAt) / 1000)}s)`), 15_000);
  heartbeat.unref();
  const output = new OutputTail('mvn', 60);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(mvn, ['-B', '-q', '-Dstyle.color=never', '-f', join(versionDir, 'pom.xml'),
        `${DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${stagingDir}`, '-DincludeScope=runtime'], {
        cwd: versionDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
      child.once('error', reject);
      child.once('close', resolve);
    });
    const jars = existsSync(stagingDir) ? readdirSync(stagingDir).filter((file) => file.endsWith('.jar')) : [];
    if (exitCode !== 0 || !jars.some((jar) => jar.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`mvn could not resolve org.apache.kafka:kafka_2.13:${version} (exit code ${exitCode}; is Maven Central reachable?). Output:\n${output}`);
    }
    try {
      renameSync(stagingDir, libsDir);
    } catch (error) {
      if (!existsSync(libsDir)) throw error; // else another process won the race with an equivalent copy
    }
    logProgress(`Kafka ${version}: ${jars.length} jars ready after ${Math.round((Date.now() - startedAt) / 1000)}s`);
    return libsDir;
  } finally {
    clearInterval(heartbeat);
    rmSync(stagingDir, { recursive: true, force: true });
  }
}
