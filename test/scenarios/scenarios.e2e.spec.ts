import { FAULT_KINDS, judge, SHOP_TOPOLOGY, type FaultKind, type Outcome, type Verdict } from '@vigil/scenarios';
import { committed, replayFault, SCENARIO_CHANGES_TOKEN } from '../support/fault-scenario';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';

const MINUTE = 60_000;
/** The detector reads each series from its last fed minute, so history may land while it ticks. */
const DETECTION_INTERVAL_MS = 2_000;
// A bound, not a speed target: under the full suite's parallel load the memory leak took over 3 minutes to settle.
const OUTCOME_TIMEOUT_MS = 5 * MINUTE;
/** The production group wait is 30 s; the scenario's anomalies are all detected within seconds of each other. */
const GROUP_WAIT_MS = 15_000;
/** Polls (2 s apart) without a new anomaly, conclusion or proposal before the incident counts as settled. */
const SETTLED_POLLS = 5;

jest.setTimeout(10 * MINUTE);

interface TimelineEntry {
  readonly type: string;
  readonly position: string;
  readonly detail: Record<string, unknown>;
}
interface RankedHypothesis extends NonNullable<Outcome['topHypothesis']> {
  readonly rank: number;
}
interface IncidentOutcome extends Outcome {
  readonly anomaly: string;
  /** Printed on a miss: tells a burn-rate page (critical) from a ticket-level alert (warning). */
  readonly severity: string;
  readonly proposedAt?: string;
  readonly concluded: boolean;
  /** Its timeline's entry types in order, printed on a miss (an investigation opened but never concluded…). */
  readonly timeline: readonly string[];
  /** Its proposal was replaced by the incident lead's. */
  readonly superseded: boolean;
  /** The findings' summaries, printed when a scenario misses. */
  readonly findings: readonly string[];
}

/** Every incident's conclusion and first proposal, read back through the API (anomalies list, incident timelines). */
async function outcomes(vigil: TestVigil): Promise<IncidentOutcome[]> {
  const { body } = await vigil.request('GET', '/api/anomalies', { token: vigil.tokens.alice });
  const anomalies = (body.items ?? []) as Array<{ anomalyId: string; service: string; signal: string; severity: string }>;
  return Promise.all(anomalies.map(async (anomaly): Promise<IncidentOutcome> => {
    const { body: timeline } = await vigil.request('GET', `/api/incidents/${anomaly.anomalyId}`, { token: vigil.tokens.alice });
    const entries = (timeline.entries ?? []) as TimelineEntry[];
    const concluded = entries.find((entry) => entry.type === 'InvestigationConcluded');
    const proposed = entries.find((entry) => entry.type === 'RemediationProposed');
    const superseded = entries.some((entry) => entry.type === 'ProposalSuperseded');
    const findings = entries.filter((entry) => entry.type === 'FindingRecorded').map((entry) => `${String(entry.detail.kind)} ${Number(entry.detail.score).toFixed(2)}: ${String(entry.detail.summary)}`);
    const hypotheses = ((concluded?.detail.hypotheses ?? []) as RankedHypothesis[]).slice().sort((a, b) => a.rank - b.rank);
    return {
      anomaly: `${anomaly.service} ${anomaly.signal}`,
      severity: anomaly.severity,
      timeline: entries.map((entry) => entry.type),
      findings,
      concluded: concluded !== undefined,
      superseded,
      ...(hypotheses[0] ? { topHypothesis: hypotheses[0] } : {}),
      ...(proposed ? { proposedAction: proposed.detail.action as Outcome['proposedAction'], proposedAt: proposed.position } : {}),
    };
  }));
}

/**
 * Waits until the incident settles — a proposal exists, every anomaly's investigation concluded, and no anomaly,
 * conclusion or proposal appeared for `SETTLED_POLLS` polls — and returns the proposals still standing (not
 * superseded) with every incident seen, for the failure message too.
 */
async function settledProposals(vigil: TestVigil, deadline: number): Promise<{ standing: IncidentOutcome[]; all: IncidentOutcome[]; settled: boolean }> {
  let all: IncidentOutcome[] = [];
  let previous = '';
  let quiet = 0;
  for (;;) {
    all = await outcomes(vigil);
    const standing = all.filter((incident) => incident.proposedAt !== undefined && !incident.superseded).sort((a, b) => comparePositions(a.proposedAt!, b.proposedAt!));
    const state = JSON.stringify(all.map((incident) => [incident.anomaly, incident.concluded, incident.proposedAt, incident.superseded]).sort());
    quiet = state === previous ? quiet + 1 : 0;
    previous = state;
    const settled = standing.length > 0 && all.every((incident) => incident.concluded) && quiet >= SETTLED_POLLS;
    if (settled || Date.now() > deadline) return { standing, all, settled };
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

function comparePositions(a: string, b: string): number {
  const [ac, as] = a.split(':').map(BigInt);
  const [bc, bs] = b.split(':').map(BigInt);
  return ac === bc ? Number(as - bs) : ac < bc ? -1 : 1;
}

describe('fault scenarios end to end: OTLP → ClickHouse → detector → investigation → proposal', () => {
  let vigil: TestVigil | undefined;
  afterEach(async () => {
    await vigil?.stop();
    vigil = undefined;
  });

  const expectations: Record<FaultKind, string> = {
    'bad-deploy': 'names payment (the deployed service) and proposes an ArgoCD rollback',
    'slow-dependency': 'names payment-provider (the slow third party) and proposes a ticket',
    'error-burst': 'names inventory (the throwing service) and proposes a ticket',
    saturation: 'names checkout (the saturated service) and proposes a scale-up',
    'memory-leak': 'names inventory (the leaking service) and proposes a rollout restart',
  };

  // Every fault by default; `VIGIL_SCENARIOS=bad-deploy,saturation` runs a subset.
  const chosen = process.env.VIGIL_SCENARIOS?.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '' && kind !== 'all');
  const kinds = chosen && chosen.length > 0 ? FAULT_KINDS.filter((kind) => chosen.includes(kind)) : FAULT_KINDS;

  it.each(kinds.map((kind) => [kind, expectations[kind]] as const))('%s: once the incident settles, its one standing proposal %s', async (kind) => {
    vigil = await startTestVigil(
      { VIGIL_DETECTION_INTERVAL_MS: String(DETECTION_INTERVAL_MS), VIGIL_INVESTIGATION_GROUP_WAIT_MS: String(GROUP_WAIT_MS), CHANGES_WEBHOOK_TOKEN: SCENARIO_CHANGES_TOKEN },
      { clickhouse: true },
    );
    const { scenario, sent } = await replayFault(kind, vigil);
    const label = scenario.label!;
    expect(sent.spans).toBeGreaterThan(20_000);
    expect(sent.changes).toBe(kind === 'bad-deploy' ? 1 : 0);
    await committed(vigil, sent.spans, Date.now() + OUTCOME_TIMEOUT_MS);

    const settling = Date.now();
    const { standing, all, settled } = await settledProposals(vigil, Date.now() + OUTCOME_TIMEOUT_MS);
    process.stderr.write(`[scenarios] ${kind}: ${all.length} anomalies, ${all.filter((incident) => incident.proposedAt !== undefined).length} proposals, ${standing.length} standing; ${settled ? 'settled' : 'NOT settled'} in ${((Date.now() - settling) / 1000).toFixed(0)} s\n`);
    const verdicts = all.map((incident): Verdict & { anomaly: string; findings: readonly string[]; superseded: boolean; concluded: boolean; timeline: readonly string[]; proposedAt?: string } => ({ anomaly: `${incident.anomaly} (${incident.severity})`, findings: incident.findings, superseded: incident.superseded, concluded: incident.concluded, timeline: incident.timeline, ...(incident.proposedAt ? { proposedAt: incident.proposedAt } : {}), ...judge(label, incident, SHOP_TOPOLOGY) }));
    // What the approval queue shows once the incident settled: one proposal, naming the root cause.
    const outcome = standing.map((incident) => judge(label, incident, SHOP_TOPOLOGY)).map((verdict) => ({ rootCause: verdict.namedService, action: verdict.proposedKind }));
    const expected = [{ rootCause: label.rootCauseService, action: label.expectedAction }];
    if (!settled || JSON.stringify(outcome) !== JSON.stringify(expected)) {
      // What was detected, concluded and proposed for each incident: the diagnosis of a miss.
      process.stderr.write(`${kind}: ${all.length} incidents\n${verdicts.map((v) => `  ${v.anomaly}${v.concluded ? '' : ` [not concluded: ${v.timeline.join(' → ')}]`}: names ${v.namedService ?? '—'}, proposes ${v.proposedKind ?? '—'}${v.proposedAt ? '' : ' (hypothesis only)'}${v.superseded ? ' (superseded)' : ''}${v.findings.map((f) => `\n    ${f}`).join('')}`).join('\n')}\n`);
      process.stderr.write(`${kind}: investigation queue ${await vigil.investigationQueue()}\n`);
      // Without the notices the saga sends to the log channel (and the unconfigured PagerDuty): what went wrong, if anything.
      const warnings = vigil.warnings().filter((line) => !line.includes('notification'));
      process.stderr.write(`${kind}: the app's last warn/error log lines besides notifications (${warnings.length})\n${warnings.slice(-40).map((line) => `  ${line.slice(0, 400)}`).join('\n')}\n`);
    }
    expect(outcome).toEqual(expected);
  });
});
