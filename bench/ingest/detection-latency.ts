import { MINUTE_MS, minuteOf } from '@vigil/detection';
import { OtlpHttpSender, replayScenario, Scenario, type FaultKind } from '@vigil/scenarios';
import { startClickHouse, startPostgres, startRedis } from '@vigil/testing';
import { DEFAULT_LATENESS_MS } from '../../apps/vigil/src/features/detection/detection-runner';
import { startTestVigil, type TestVigil } from '../../test/support/start-test-vigil';
import { flagsUsage, type FlagSpec, parseFlags } from '../lib/args';
import { note, progressBar } from '../lib/progress';
import { formatCount, percentile } from '../lib/report';

/** The issue's goal: fault onset → AnomalyDetected. */
export const DETECTION_GOAL_SECONDS = 30;

export interface DetectionLatencyOptions {
  /** Faults, each in a fresh Vigil, with onsets spread over the minute. */
  readonly runs: number;
  /** Clean history replayed time-compressed first (the detector learns from 30 minutes). Default 35. */
  readonly historyMinutes?: number;
  /** Scenario traces per second (~8 spans each). Default 4. */
  readonly tracesPerSecond?: number;
  /** Give up on a run this long after the onset. Default 180. */
  readonly timeoutSeconds?: number;
  readonly fault?: FaultKind;
  readonly seed?: number;
}

export interface DetectionRun {
  /** Second of the minute the fault starts at. */
  readonly onsetSecond: number;
  readonly service: string;
  /** Start time of the first failing span of the faulty service (ISO). */
  readonly firstFaultySpanAt: string;
  /** recordedAt of the first AnomalyDetected for that service, or null when none came before the timeout. */
  readonly detectedAt: string | null;
  readonly detected: { readonly operation: string; readonly signal: string; readonly windowStart: string } | null;
  readonly latencySeconds: number | null;
  /** Closed-minute floor: end of the first faulty span's minute + lateness + one detection interval, from that span. */
  readonly floorSeconds: number;
  /** AnomalyDetected for the service recorded before the onset (false positives of the clean traffic). */
  readonly detectedBeforeOnset: number;
  /** How long before the onset the live phase had caught up with real time (negative: late, the latency is inflated). */
  readonly liveLeadSeconds: number | null;
  readonly spansSent: number;
}

export interface DetectionLatencyResult {
  readonly intervalMs: number;
  readonly latenessMs: number;
  readonly historyMinutes: number;
  readonly tracesPerSecond: number;
  readonly fault: FaultKind;
  readonly runs: DetectionRun[];
  /** Over the runs that detected; null when none did. */
  readonly latencyP50Seconds: number | null;
  readonly latencyMaxSeconds: number | null;
  readonly floorP50Seconds: number;
  readonly floorMaxSeconds: number;
  readonly missed: number;
}

/** Runs `npm run bench -- ingest` does not need to know about: the same measurement on its own. */
export const DETECTION_FLAGS = {
  'detection-runs': { default: 3, description: 'faults (each in a fresh Vigil) for the detection latency, onsets spread over the minute', integer: true },
  'detection-history': { default: 35, description: 'clean minutes replayed before each fault (the detector learns from 30)', integer: true, min: 31 },
  'detection-rate': { default: 4, description: 'scenario traces/s (~8 spans each) during the detection runs', min: 0.5 },
} satisfies Record<string, FlagSpec>;

/** This file run alone also times a latency-only fault (previewed only once most of a minute's requests are slow). */
const STANDALONE_FLAGS = {
  ...DETECTION_FLAGS,
  'detection-slow': { default: 1, description: '1: also time a latency-only fault (slow-dependency, from its onset); 0: the error burst only', integer: true, min: 0 },
} satisfies Record<string, FlagSpec>;

const LIVE_LEAD_MS = 15_000;

/**
 * Fault onset → AnomalyDetected through the whole app (OTLP/HTTP receiver, bus, ClickHouse RED rollup, DetectionRunner
 * at its configured interval, event store). Each run: a fresh Vigil (`startTestVigil`, investigations off: they come
 * after detection), `historyMinutes` of clean shop traffic replayed time-compressed, then live traffic second by second
 * in real time with the fault starting at a chosen second of a minute. Latency = the app's recordedAt of the first
 * AnomalyDetected for the faulty service − the start time of that service's first failing span.
 */
export async function measureDetectionLatency(options: DetectionLatencyOptions): Promise<DetectionLatencyResult> {
  const historyMinutes = options.historyMinutes ?? 35;
  const tracesPerSecond = options.tracesPerSecond ?? 4;
  const fault = options.fault ?? 'error-burst';
  const restoreEnv = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  const postgres = await startPostgres();
  const redis = await startRedis();
  const clickhouse = await startClickHouse();
  // startTestVigil makes its database on DATABASE_URL and the runtime uses REDIS_URL (one server for every run).
  process.env.DATABASE_URL = postgres.url;
  process.env.REDIS_URL = redis.url;
  note(`detection latency: ${options.runs} × ${fault}, ${historyMinutes} clean minutes replayed first, ${tracesPerSecond} traces/s; postgres ${postgres.external ? 'DATABASE_URL' : 'embedded'}, redis ${redis.url}`);
  const runs: DetectionRun[] = [];
  let intervalMs = 0;
  try {
    for (let index = 0; index < options.runs; index++) {
      const onsetSecond = Math.round(((index + 0.5) * 60) / options.runs) % 60;
      const vigil = await startTestVigil({}, { clickhouse: true, investigations: false });
      intervalMs = vigil.runtime.config.VIGIL_DETECTION_INTERVAL_MS;
      try {
        runs.push(await measureOnce(vigil, { ...options, historyMinutes, tracesPerSecond, fault, onsetSecond, intervalMs, label: `run ${index + 1}/${options.runs}` }));
      } finally {
        const database = vigil.runtime.config.CLICKHOUSE_DATABASE;
        await vigil.stop();
        await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` }).catch(() => undefined);
      }
    }
  } finally {
    await clickhouse.stop();
    await redis.stop();
    await postgres.stop();
    for (const [name, value] of Object.entries(restoreEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const latencies = runs.flatMap((run) => (run.latencySeconds === null ? [] : [run.latencySeconds])).sort((a, b) => a - b);
  const floors = runs.map((run) => run.floorSeconds).sort((a, b) => a - b);
  return {
    intervalMs, latenessMs: DEFAULT_LATENESS_MS, historyMinutes, tracesPerSecond, fault, runs,
    latencyP50Seconds: latencies.length ? percentile(latencies, 50) : null,
    latencyMaxSeconds: latencies.length ? latencies[latencies.length - 1] : null,
    floorP50Seconds: percentile(floors, 50),
    floorMaxSeconds: floors[floors.length - 1],
    missed: runs.length - latencies.length,
  };
}

async function measureOnce(
  vigil: TestVigil,
  run: Required<Omit<DetectionLatencyOptions, 'runs' | 'seed' | 'timeoutSeconds'>> & Pick<DetectionLatencyOptions, 'seed' | 'timeoutSeconds'> & { onsetSecond: number; intervalMs: number; label: string },
): Promise<DetectionRun> {
  const seed = run.seed ?? 7;
  const sender = new OtlpHttpSender({ baseUrl: vigil.otlpHttpUrl!, connections: 4 });
  const live = new AbortController();
  try {
    // 1. Clean history up to now, as fast as the receiver takes it.
    const historyEnd = Date.now();
    const historyBar = progressBar(`${run.label}: history`, run.historyMinutes);
    const history = await replayScenario({
      scenario: new Scenario({ seed, tracesPerSecond: run.tracesPerSecond }), sender, historyMs: run.historyMinutes * MINUTE_MS, liveMs: 0, now: () => historyEnd,
      onProgress: (progress) => historyBar.update(run.historyMinutes - Math.round((historyEnd - progress.untilMs) / MINUTE_MS), `${formatCount(progress.spans)} spans`),
    });
    historyBar.stop();

    // 2. The fault at the chosen second of a minute far enough ahead for the live phase to catch up first. Each second
    // of a scenario depends on (seed, second) alone, so before the onset this is the same traffic as the clean one.
    const onset = nextInstantAtSecond(Date.now() + LIVE_LEAD_MS, run.onsetSecond);
    const scenario = new Scenario({ seed, tracesPerSecond: run.tracesPerSecond, fault: { kind: run.fault, at: onset } });
    const service = scenario.label!.rootCauseService;
    // A fault without failures (a slowdown ramping up) is timed from its onset: when it starts, not when it shows.
    const firstFaulty = scenario.label!.symptoms.includes('error_rate') ? firstFailingSpanUs(scenario, service, onset) : onset * 1000;
    const firstFaultyMs = firstFaulty / 1000;
    const floorSeconds = (minuteOf(firstFaultyMs) + MINUTE_MS + DEFAULT_LATENESS_MS + run.intervalMs - firstFaultyMs) / 1000;
    const timeoutMs = (run.timeoutSeconds ?? 180) * 1000;

    // 3. Live traffic in real time (the gap since the history ended first), until detected or timed out.
    let caughtUpAt = null as number | null;
    let spansSent = history.spans;
    const sending = replayScenario({
      scenario, sender, historyMs: Date.now() - historyEnd, liveMs: onset + timeoutMs - Date.now(), signal: live.signal,
      onProgress: (progress) => {
        spansSent = history.spans + progress.spans;
        if (progress.phase === 'live' && caughtUpAt === null) caughtUpAt = Date.now();
      },
    }).catch((error: unknown) => note(`${run.label}: live traffic stopped: ${error instanceof Error ? error.message : String(error)}`));

    const bar = progressBar(`${run.label}: onset at :${String(run.onsetSecond).padStart(2, '0')}`, Math.ceil((onset + timeoutMs - Date.now()) / 1000));
    const started = Date.now();
    let found: AnomalyDetectedRow | undefined;
    let before = 0;
    while (Date.now() < onset + timeoutMs) {
      const rows = await detectedFor(vigil, service);
      before = rows.filter((row) => row.recordedAt < firstFaultyMs).length;
      found = rows.find((row) => row.recordedAt >= firstFaultyMs);
      if (found) break;
      const toOnset = (onset - Date.now()) / 1000;
      bar.update(Math.floor((Date.now() - started) / 1000), toOnset > 0 ? `${toOnset.toFixed(0)} s to the onset, ${formatCount(spansSent)} spans sent` : `${(-toOnset).toFixed(0)} s since the onset, no AnomalyDetected for ${service} yet`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    bar.stop();
    live.abort();
    await sending;
    const latencySeconds = found ? (found.recordedAt - firstFaultyMs) / 1000 : null;
    const liveLeadSeconds = caughtUpAt === null ? null : (onset - caughtUpAt) / 1000;
    note(`${run.label}: ${service} fails from ${new Date(firstFaultyMs).toISOString()}; ${found ? `AnomalyDetected (${found.operation} ${found.signal}, minute ${found.windowStart}) recorded ${latencySeconds!.toFixed(1)} s later` : `no AnomalyDetected within ${timeoutMs / 1000} s`}; closed-minute floor ${floorSeconds.toFixed(1)} s${before ? `; ${before} detected before the onset` : ''}`);
    return {
      onsetSecond: run.onsetSecond, service, firstFaultySpanAt: new Date(firstFaultyMs).toISOString(),
      detectedAt: found ? new Date(found.recordedAt).toISOString() : null,
      detected: found ? { operation: found.operation, signal: found.signal, windowStart: found.windowStart } : null,
      latencySeconds, floorSeconds, detectedBeforeOnset: before, liveLeadSeconds, spansSent,
    };
  } finally {
    live.abort();
    sender.close();
  }
}

/** The first instant at or after `from` whose second of the minute is `second`. */
function nextInstantAtSecond(from: number, second: number): number {
  const candidate = minuteOf(from) + second * 1000;
  return candidate >= from ? candidate : candidate + MINUTE_MS;
}

/** Start (µs) of the first failing span of `service` at or after the onset: where the fault first shows. */
function firstFailingSpanUs(scenario: Scenario, service: string, onset: number): number {
  for (let from = onset; from < onset + 5 * MINUTE_MS; from += 10_000) {
    const failing = scenario.generate(from, from + 10_000).spans.filter((span) => span.resource.service === service && span.error && span.startUs >= onset * 1000);
    if (failing.length) return Math.min(...failing.map((span) => span.startUs));
  }
  throw new Error(`the scenario has no failing ${service} span within 5 minutes of the onset`);
}

interface AnomalyDetectedRow {
  readonly recordedAt: number;
  readonly operation: string;
  readonly signal: string;
  readonly windowStart: string;
}

/** AnomalyDetected events for a service from the event log, oldest first, with the time the app recorded them. */
async function detectedFor(vigil: TestVigil, service: string): Promise<AnomalyDetectedRow[]> {
  const { rows } = await vigil.runtime.pool.query<{ recorded_at: Date; data: { operation: string; signal: string; window: { start: string } } }>(
    `SELECT recorded_at, data FROM events WHERE type = 'AnomalyDetected' AND data->>'service' = $1 ORDER BY recorded_at`,
    [service],
  );
  return rows.map((row) => ({ recordedAt: row.recorded_at.getTime(), operation: row.data.operation, signal: row.data.signal, windowStart: row.data.window.start }));
}

/** `node -r ./tools/register.js bench/ingest/detection-latency.ts [--detection-runs 3] [--detection-slow 0]`: this measurement alone. */
async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), STANDALONE_FLAGS);
  const faults: FaultKind[] = flags['detection-slow'] ? ['error-burst', 'slow-dependency'] : ['error-burst'];
  const results: DetectionLatencyResult[] = [];
  for (const fault of faults) results.push(await measureDetectionLatency({ runs: flags['detection-runs'], historyMinutes: flags['detection-history'], tracesPerSecond: flags['detection-rate'], fault }));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

if (require.main === module) {
  main().then(() => process.exit(0), (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n${flagsUsage(STANDALONE_FLAGS)}\n`);
    process.exit(1);
  });
}
