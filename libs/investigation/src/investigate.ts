import { Hypothesis } from '@vigil/domain/investigation';
import { bubbleUp, BubbleUpCounts, BubbleUpOptions } from './bubbleup/bubbleup';
import { ChangeEvent, correlateChanges, DeploymentCorrelationOptions } from './deployment/deployment-correlation';
import { ServiceAnomaly, TraceOptions, traceRootCause } from './dependency/root-cause';
import { buildServiceGraph, SpanEdge } from './dependency/service-graph';
import { bubbleUpFindings, dependencyFinding, deploymentFindings, InvestigationFinding, logFindings } from './findings/findings';
import { HypothesisOptions, InvestigationHypothesis, PropagatedSymptom, rankHypotheses, ServiceFacts, toDomainHypothesis } from './hypotheses/rank-hypotheses';
import { InstantInput } from './internal/time';
import { InvestigatedOnset, investigatedOnset, InvestigatedOnsetOptions } from './onset/investigated-onset';
import { analyzeLogs, LogEvidenceOptions, LogRow } from './logs/log-evidence';
import { Proposal, proposeActions, ProposerOptions, ServiceTarget } from './proposer/proposer';

/**
 * Everything the query adapters gather for one anomaly. Each part is optional: a missing part yields no finding of
 * its kind, never an error.
 */
export interface InvestigationInput {
  readonly anomaly: {
    readonly service: string;
    /** `latency_p99`, `error_rate`…: names the BubbleUp population. */
    readonly signal: string;
    /** The detector's window start. */
    readonly onset: InstantInput;
    /**
     * The detector's window end. A window longer than a few minutes (an SLO burn-rate alert's) is not dated by its
     * start: the service's own onset in `serviceAnomalies` is taken instead (see {@link investigatedOnset}).
     */
    readonly end?: InstantInput;
    readonly summary?: string;
  };
  /** BubbleUp counts (ClickHouse GROUP BY attribute, value over anomalous vs baseline spans). */
  readonly bubbleUp?: BubbleUpCounts;
  readonly changes?: readonly ChangeEvent[];
  /** Service graph edges from parent/child spans. */
  readonly edges?: readonly SpanEdge[];
  /** Per-service anomaly scores and onsets (e.g. from scoreService over RED series). */
  readonly serviceAnomalies?: readonly ServiceAnomaly[];
  readonly logs?: { readonly rows: readonly LogRow[]; readonly baseline?: readonly LogRow[] };
  readonly facts?: readonly ServiceFacts[];
  readonly targets?: Readonly<Record<string, ServiceTarget>>;
}

export interface InvestigationOptions {
  readonly onset: Partial<InvestigatedOnsetOptions>;
  readonly bubbleUp: Partial<BubbleUpOptions>;
  readonly deployment: Partial<DeploymentCorrelationOptions>;
  readonly trace: Partial<TraceOptions>;
  readonly logs: Partial<LogEvidenceOptions>;
  readonly hypotheses: Partial<HypothesisOptions>;
  readonly proposer: Partial<ProposerOptions>;
}

export interface InvestigationOutcome {
  /** When the fault began, as changes were correlated against it. */
  readonly onset: InvestigatedOnset;
  /** To record, in this order (RecordFinding with `recordFindingData`). */
  readonly findings: readonly InvestigationFinding[];
  readonly hypotheses: readonly InvestigationHypothesis[];
  readonly proposal: Proposal;
  /** ConcludeInvestigation's hypotheses: the ranked ones, each with its proposed action when it got one. */
  readonly conclusion: readonly Hypothesis[];
}

/** Runs every analysis on what the adapters gathered, ranks the hypotheses and proposes actions. Pure. */
export function investigate(input: InvestigationInput, options: Partial<InvestigationOptions> = {}): InvestigationOutcome {
  const { anomaly } = input;
  const graph = input.edges ? buildServiceGraph(input.edges) : undefined;
  const findings: InvestigationFinding[] = [];
  const onset = investigatedOnset(anomaly, input.serviceAnomalies, options.onset);

  const propagated: PropagatedSymptom[] = [];
  let loadHurts = false;
  if (input.serviceAnomalies && graph) {
    // A traffic change comes from the callers, not from a fault below the service: the walk starts from every
    // anomalous service no anomalous service calls, to find where the load hurts (errors, latency).
    const symptom = isTrafficSignal(anomaly.signal) ? {} : { symptom: anomaly.service };
    const trace = traceRootCause({ graph, anomalies: input.serviceAnomalies, ...symptom }, options.trace);
    const finding = dependencyFinding(trace);
    if (finding) findings.push(finding);
    loadHurts = trace.top !== undefined;
    // The symptom's anomaly is explained by a callee whose own anomaly began first: act on the root, not on it.
    const own = trace.candidates.find((candidate) => candidate.service === anomaly.service);
    if (trace.top && trace.top.service !== anomaly.service && own?.role === 'propagated') propagated.push({ service: anomaly.service, root: trace.top.service });
  }
  if (input.changes) {
    // The anomalous service's changes against its anomaly's onset; the root's against the onset of its own anomaly
    // (a symptom may be detected before or after the root's anomaly began).
    const onsetOf = new Map<string, InstantInput>([[anomaly.service, onset.at]]);
    for (const finding of findings) {
      const service = finding.subject.service;
      if (!service || onsetOf.has(service)) continue;
      const own = finding.kind === 'dependency' ? finding.evidence.onset : undefined;
      onsetOf.set(service, typeof own === 'number' ? own : onset.at);
    }
    const correlated = [...onsetOf].flatMap(([service, at]) =>
      correlateChanges({ service, onset: at, changes: input.changes ?? [], ...(graph ? { graph } : {}) }, options.deployment),
    );
    const unique = [...new Map(correlated.sort((a, b) => b.score - a.score).map((entry) => [`${entry.change.service}:${entry.change.revision}`, entry])).values()];
    findings.push(...deploymentFindings(unique));
  }
  if (input.bubbleUp) {
    findings.push(...bubbleUpFindings(bubbleUp(input.bubbleUp, { population: populationOf(anomaly.signal), ...options.bubbleUp }), { service: anomaly.service, signal: anomaly.signal }));
  }
  if (input.logs) {
    // Each service's error logs against its own baseline (the adapters may read the anomalous dependencies' too).
    const serviceOf = (row: LogRow) => row.service ?? anomaly.service;
    const services = [anomaly.service, ...new Set(input.logs.rows.map(serviceOf).filter((service) => service !== anomaly.service))];
    for (const service of services) {
      const rows = input.logs.rows.filter((row) => serviceOf(row) === service);
      if (rows.length === 0) continue;
      const baseline = input.logs.baseline?.filter((row) => serviceOf(row) === service);
      findings.push(...logFindings(analyzeLogs({ rows, ...(baseline ? { baseline } : {}) }, options.logs), { service }));
    }
  }

  const hypotheses = rankHypotheses({ findings, ...(input.facts ? { facts: input.facts } : {}), propagated }, options.hypotheses);
  const proposed = proposeActions(
    { hypotheses, service: anomaly.service, targets: input.targets ?? {}, ...(input.facts ? { facts: input.facts } : {}), ...(anomaly.summary ? { anomalySummary: anomaly.summary } : {}) },
    options.proposer,
  );
  // More traffic that no service suffers from (no errors, no latency) is not a fault: no ticket repeats the notice.
  const harmlessTraffic = isTrafficSignal(anomaly.signal) && !loadHurts && proposed.candidates.every((candidate) => candidate.action.kind === 'ticket.create');
  const proposal: Proposal = harmlessTraffic ? { candidates: [], skipped: proposed.skipped } : proposed;
  // The saga turns a hypothesis's suggested action into a proposal; a low-confidence ticket rides on the best one.
  const actionOf = new Map(proposal.candidates.map((candidate) => [candidate.hypothesisIndex, candidate.action]));
  const conclusion: Hypothesis[] = hypotheses.map((hypothesis, index) => toDomainHypothesis(hypothesis, actionOf.get(index)));
  if (conclusion.length === 0) {
    const ticket = actionOf.get(-1);
    const summary = harmlessTraffic
      ? `The ${anomaly.signal} of ${anomaly.service} changed but no service's errors or latency moved: nothing to act on`
      : `No cause found for the ${anomaly.signal} anomaly on ${anomaly.service}`;
    conclusion.push({ summary, confidence: 0, ...(ticket ? { suggestedAction: ticket } : {}) });
  }
  return { onset, findings, hypotheses, proposal, conclusion };
}

/** Throughput, traffic, request rate: a change in load rather than in how the service answers. */
export function isTrafficSignal(signal: string): boolean {
  return !/error|fail|availability|5xx|latency|duration|slow/i.test(signal) && /throughput|traffic|requests|request_rate|rps|qps|load/i.test(signal);
}

/** `latency_p99` → "slow requests", `error_rate` → "failed requests". */
export function populationOf(signal: string): string {
  if (/latency|duration|slow/i.test(signal)) return 'slow requests';
  if (/error|fail|availability|5xx/i.test(signal)) return 'failed requests';
  return `${signal} anomalous events`;
}
