import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type VigilConfig } from '@vigil/config';
import type { IncidentView } from '@vigil/read-models';
import {
  FAULT_KINDS, isFaultKind, judge, OtlpHttpSender, postChangeEvent, replayScenario, Scenario, sleep, waitForReady,
  type FaultKind, type Outcome,
} from '@vigil/scenarios';

/**
 * `npm run demo [-- --scenario memory-leak]`: starts Vigil as `npm start` does (embedded Postgres, Redis, chDB), sends
 * the shop's baseline history (time-compressed), then live traffic with the chosen fault, and narrates what Vigil
 * detects, concludes and proposes next to what was injected. Traffic stops after --live-minutes; Vigil keeps running
 * for you to look around until Ctrl-C.
 */
const ROOT = resolve(__dirname, '..');
/**
 * The demo's own data dir (not npm start's .vigil), fresh each run: an earlier run's incidents stay open once its
 * traffic stops, and the new run's anomalies would be grouped with them. VIGIL_DATA_DIR overrides it (never wiped).
 */
const DEMO_DATA_DIR = '.vigil-demo';
const say = (line = '') => process.stdout.write(`${line}\n`);
const positive = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return number;
};

interface DemoOptions {
  scenario: FaultKind;
  historyMinutes: number;
  faultAfterSeconds: number;
  liveMinutes: number;
  rate: number;
  seed: number;
  attach: boolean;
  keepData: boolean;
}

function parseOptions(argv: readonly string[]): DemoOptions {
  return new Command('npm run demo --')
    .description('Start Vigil and replay a fault scenario against it')
    .option('--scenario <kind>', `fault to inject: ${FAULT_KINDS.join(', ')}`, (value) => {
      if (!isFaultKind(value)) throw new InvalidArgumentError(`one of ${FAULT_KINDS.join(', ')}`);
      return value;
    }, 'bad-deploy')
    .option('--history-minutes <n>', 'baseline history sent first (time-compressed, past timestamps; the detector learns from 30)', positive, 35)
    // Default: the fault began 3 minutes ago, inside the history, so its closed minutes are detected as soon as they land.
    .option('--fault-after-seconds <n>', 'seconds of live traffic before the fault starts (negative: it started that long before now)', (value) => {
      const seconds = Number(value);
      if (!Number.isInteger(seconds)) throw new InvalidArgumentError('a whole number of seconds');
      return seconds;
    }, -180)
    .option('--live-minutes <n>', 'live traffic in all (then traffic stops; Vigil keeps running)', positive, 15)
    .option('--rate <n>', 'traces per second at baseline traffic (each trace ~8 spans)', positive, 4)
    .option('--seed <n>', 'scenario seed (same seed, same telemetry)', positive, 1)
    .option('--attach', 'use a Vigil already running on PORT / OTLP_HTTP_PORT instead of starting one', false)
    .option('--keep-data', `keep ${DEMO_DATA_DIR}/ from the previous run instead of starting from a fresh one`, false)
    .parse(['node', 'demo', ...argv])
    .opts<DemoOptions>();
}

/** `npm start` without the console rebuild when it is already built; Vigil's own log goes to a file. */
function startVigil(config: VigilConfig, env: NodeJS.ProcessEnv): { child: ChildProcess; logFile: string } {
  if (!existsSync(join(ROOT, 'apps', 'console', 'dist', 'index.html'))) {
    say('building the console UI (first run only)…');
    const build = spawnSync('npm', ['run', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) say('console build failed: the API works, the UI will not load');
  }
  mkdirSync(config.dataDir, { recursive: true });
  const logFile = join(config.dataDir, 'demo-vigil.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/vigil/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (chunk: Buffer) => {
    log.write(chunk);
    // Pino's JSON lines stay in the file; the start-up banner (plain text) is worth showing.
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() && !line.startsWith('{')) say(`  │ ${line}`);
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  return { child, logFile };
}

function demoToken(config: VigilConfig): string | undefined {
  try {
    const tokens = JSON.parse(readFileSync(join(config.dataDir, 'demo-tokens.json'), 'utf8')) as Record<string, { token: string }>;
    return tokens.alice?.token;
  } catch {
    return undefined;
  }
}

/**
 * Prints each anomaly opened since `since`, its conclusion and proposal once, with the verdict against the injected
 * fault; anomalies grouped into another's incident say so. Earlier runs' incidents (the data dir persists) are left out.
 */
type DemoAnomaly = Pick<IncidentView, 'anomalyId' | 'service' | 'operation' | 'signal' | 'severity' | 'status' | 'openedAt' | 'leadAnomalyId'>;

/** Says how many incidents earlier runs left open in the (persistent) data dir, so they are not taken for this run's. */
async function mentionEarlierIncidents(api: string, token: string | undefined, dataDir: string, since: number): Promise<void> {
  const response = await fetch(`${api}/api/anomalies?status=open`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).catch(() => undefined);
  const items = response?.ok ? ((await response.json()) as { items: DemoAnomaly[] }).items : [];
  const earlier = items.filter((anomaly) => anomaly.openedAt === null || Date.parse(anomaly.openedAt) < since).length;
  if (earlier > 0) say(`Note: ${earlier} incident(s) from earlier runs are still open in ${dataDir} (the UI shows them; delete the directory for a clean slate). Below: this run's only.\n`);
}

async function narrate(api: string, token: string | undefined, scenario: Scenario, since: number, signal: AbortSignal): Promise<void> {
  const seen = new Set<string>();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const get = async <T>(path: string): Promise<T | undefined> => {
    const response = await fetch(`${api}${path}`, { headers }).catch(() => undefined);
    return response?.ok ? ((await response.json()) as T) : undefined;
  };
  const once = (key: string, line: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    say(line);
  };
  while (!signal.aborted) {
    const anomalies = await get<{ items: DemoAnomaly[] }>('/api/anomalies');
    const ours = (anomalies?.items ?? []).filter((anomaly) => anomaly.openedAt !== null && Date.parse(anomaly.openedAt) >= since);
    for (const anomaly of ours) {
      once(anomaly.anomalyId, `▲ anomaly: ${anomaly.service} ${anomaly.operation} ${anomaly.signal} (${anomaly.severity})  → ${api}/api/incidents/${anomaly.anomalyId}`);
      if (anomaly.leadAnomalyId) {
        const lead = ours.find((other) => other.anomalyId === anomaly.leadAnomalyId);
        once(`${anomaly.anomalyId}:grouped`, `  ↳ ${anomaly.service} ${anomaly.signal}: grouped into the incident of ${lead ? `${lead.service} ${lead.operation} ${lead.signal}` : anomaly.leadAnomalyId}, whose investigation proposes`);
      }
      const timeline = await get<{ entries: Array<{ type: string; detail: Record<string, unknown> }> }>(`/api/incidents/${anomaly.anomalyId}`);
      const entries = timeline?.entries ?? [];
      const concluded = entries.find((entry) => entry.type === 'InvestigationConcluded');
      const proposed = entries.find((entry) => entry.type === 'RemediationProposed');
      const hypotheses = ((concluded?.detail.hypotheses ?? []) as Array<NonNullable<Outcome['topHypothesis']> & { rank: number }>).slice().sort((a, b) => a.rank - b.rank);
      if (concluded) once(`${anomaly.anomalyId}:concluded`, `  ● concluded: ${hypotheses[0]?.summary ?? 'no hypothesis'}${hypotheses[0] ? ` (confidence ${hypotheses[0].confidence})` : ''}`);
      if (proposed && scenario.label) {
        const action = proposed.detail.action as NonNullable<Outcome['proposedAction']>;
        const verdict = judge(scenario.label, { ...(hypotheses[0] ? { topHypothesis: hypotheses[0] } : {}), proposedAction: action }, scenario.topology);
        const mark = verdict.rootCauseMatched && verdict.actionMatched ? '✓ matches the injected fault' : `✗ injected: ${scenario.label.rootCauseService}, expected ${scenario.label.expectedAction}`;
        once(`${anomaly.anomalyId}:proposed`, `  ◆ proposed: ${action.kind} on ${action.target}  ${mark}  → approve or reject it in the UI`);
      }
    }
    await sleep(5_000);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const ownDataDir = !options.attach && !process.env.VIGIL_DATA_DIR;
  if (ownDataDir && !options.keepData) rmSync(join(ROOT, DEMO_DATA_DIR), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = ownDataDir ? { ...process.env, VIGIL_DATA_DIR: join(ROOT, DEMO_DATA_DIR) } : process.env;
  const config = loadConfig(env);
  const changesToken = config.CHANGES_WEBHOOK_TOKEN ?? `demo-${randomBytes(16).toString('hex')}`;
  const api = `http://localhost:${config.PORT}`;
  const otlp = `http://localhost:${config.OTLP_HTTP_PORT}`;
  let vigil: { child: ChildProcess; logFile: string } | null = null;
  const stop = new AbortController();
  const shutdown = () => {
    stop.abort();
    if (vigil && vigil.child.exitCode === null) {
      say('\nstopping Vigil…');
      vigil.child.kill('SIGINT');
      vigil.child.once('exit', () => process.exit(0));
    } else {
      process.exit(0);
    }
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (!options.attach) {
    const alreadyUp = await fetch(`${api}/readyz`).then(() => true, () => false);
    if (alreadyUp) {
      say(`Something already answers on ${api}: stop it, or run \`npm run demo -- --attach\` to use it (with its CHANGES_WEBHOOK_TOKEN in the env).`);
      process.exit(2);
    }
    say(`starting Vigil (as npm start; embedded Postgres, Redis and chDB under ${relative(ROOT, config.dataDir) || '.'})…`);
    // A short detection interval so the newcomer sees the anomaly within seconds of the fault's first closed minute.
    vigil = startVigil(config, { ...env, CHANGES_WEBHOOK_TOKEN: changesToken, VIGIL_DETECTION_INTERVAL_MS: process.env.VIGIL_DETECTION_INTERVAL_MS ?? '5000', VIGIL_INVESTIGATION_GROUP_WAIT_MS: process.env.VIGIL_INVESTIGATION_GROUP_WAIT_MS ?? '15000' });
    vigil.child.once('exit', (code) => {
      if (!stop.signal.aborted) {
        say(`Vigil exited (${code}); its log: ${vigil?.logFile}`);
        process.exit(1);
      }
    });
  }
  let lastWait = 0;
  await waitForReady(`${api}/readyz`, 10 * 60_000, (status) => {
    if (Date.now() - lastWait > 10_000) say(`  waiting for ${api}/readyz (${status.slice(0, 80)})`);
    lastWait = Date.now();
  });

  const start = Date.now();
  const scenario = new Scenario({ seed: options.seed, tracesPerSecond: options.rate, fault: { kind: options.scenario, at: start + options.faultAfterSeconds * 1000 } });
  const label = scenario.label!;
  const tokensFile = relative(process.cwd(), join(config.dataDir, 'demo-tokens.json'));
  say();
  say(`Scenario ${label.kind} (seed ${options.seed}): ${label.description}.`);
  say(`  injected root cause: ${label.rootCauseService}; a good investigation proposes ${label.expectedAction}`);
  say(`  ${options.historyMinutes} min of baseline history first (past timestamps), then live traffic; the fault starts at ${new Date(Date.parse(label.onset)).toLocaleTimeString()} (${options.faultAfterSeconds} s into the live traffic)`);
  say();
  say('Look at:');
  say(`  UI            ${api}/   (sign in with a demo token from ${tokensFile}: alice responder, lee team lead, sara sre, mo manager)`);
  say(`  API docs      ${api}/api/docs`);
  say(`  anomalies     curl -H "Authorization: Bearer $(node -p "require('./${tokensFile}').alice.token")" ${api}/api/anomalies`);
  say(`  telemetry     OTLP/HTTP ${otlp} → ClickHouse tables otel_traces, otel_logs, otel_metrics_*, changes`);
  if (vigil) say(`  Vigil's log   ${relative(process.cwd(), vigil.logFile)}`);
  say();

  await mentionEarlierIncidents(api, demoToken(config), relative(process.cwd(), config.dataDir) || '.', start);
  void narrate(api, demoToken(config), scenario, start, stop.signal);
  const sender = new OtlpHttpSender({ baseUrl: otlp, connections: 4 });
  let lastLive = 0;
  await replayScenario({
    scenario, sender, historyMs: options.historyMinutes * 60_000, liveMs: options.liveMinutes * 60_000, signal: stop.signal,
    postChange: async (event) => {
      const response = await postChangeEvent(event, { url: `${api}/webhooks/changes`, token: changesToken });
      say(`◇ change event: ${event.service} ${event.previousRevision} → ${event.revision} (${event.source}) → POST /webhooks/changes ${response.status}`);
    },
    onProgress: (progress) => {
      if (progress.phase === 'history') {
        const minutes = Math.round((progress.untilMs - (start - options.historyMinutes * 60_000)) / 60_000);
        say(`  history ${minutes}/${options.historyMinutes} min sent (${progress.spans.toLocaleString('en-US')} spans, ${progress.logs.toLocaleString('en-US')} logs)`);
      } else if (Date.now() - lastLive >= 30_000) {
        lastLive = Date.now();
        const faultIn = Math.round((Date.parse(label.onset) - progress.untilMs) / 1000);
        say(`  live: ${progress.spans.toLocaleString('en-US')} spans sent${faultIn > 0 ? `, fault in ${faultIn} s` : ', fault on'}`);
      }
    },
  });
  sender.close();
  if (!stop.signal.aborted) say(`Traffic stopped after ${options.liveMinutes} min of live traffic. ${vigil ? 'Vigil keeps running: Ctrl-C to stop it.' : ''}`);
  if (!vigil) stop.abort();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
