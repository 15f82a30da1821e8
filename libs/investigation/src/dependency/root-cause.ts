import { InstantInput, toMillis } from '../internal/time';
import { ServiceGraph } from './service-graph';

/** One service's anomaly as the detectors (or {@link scoreService}) saw it. */
export interface ServiceAnomaly {
  readonly service: string;
  /** How anomalous (e.g. the largest robust z over its metrics); below `minScore` the service counts as healthy. */
  readonly score: number;
  /** When its own anomaly began; unknown onsets neither explain nor are explained by timing. */
  readonly onset?: InstantInput;
  /** What was anomalous (e.g. `latency_p99`, `CpuUsageRate(%)`): carried into the evidence. */
  readonly signal?: string;
}

export interface TraceOptions {
  /** Services scoring below this are healthy. Default 5 (the onset threshold). */
  readonly minScore: number;
  /**
   * A callee explains its caller's anomaly when it began no later than the caller's onset plus this (clock skew
   * between series). Keep it under one sample interval, so "no later" means the same sample or an earlier one.
   * Default 30 s (half of Vigil's 1-minute RED windows).
   */
  readonly onsetToleranceMs: number;
}

export const DEFAULT_TRACE_OPTIONS: TraceOptions = { minScore: 5, onsetToleranceMs: 30_000 };

/**
 * - `root`: anomalous, reached from the symptom through anomalous services, and none of its anomalous callees began
 *   before it (within the tolerance): the walk stops here.
 * - `propagated`: anomalous and reached, but an anomalous callee began no later: probably a victim.
 * - `unreachable`: anomalous, but no chain of anomalous services links it to the symptom.
 * - `healthy`: below `minScore`.
 */
export type CandidateRole = 'root' | 'propagated' | 'unreachable' | 'healthy';

export interface RootCauseCandidate {
  readonly rank: number;
  readonly service: string;
  readonly role: CandidateRole;
  readonly score: number;
  readonly onset?: number;
  readonly signal?: string;
  /** Hops from the symptom along the walk (absent when not reached). */
  readonly depth?: number;
  /** Symptom → … → service along anomalous services (absent when not reached). */
  readonly path?: readonly string[];
  /** Anomalous callees that began no later (why a `propagated` service is not the root). */
  readonly explainedBy?: readonly string[];
}

export interface RootCauseTrace {
  readonly symptom?: string;
  /** Every service in the graph or the anomaly list: roots, then propagated, unreachable, healthy. */
  readonly candidates: readonly RootCauseCandidate[];
  /** The best root, when the walk found one. */
  readonly top?: RootCauseCandidate;
  /** 0..1: how strongly and how exclusively the evidence names `top` (0 without one). */
  readonly confidence: number;
}

/**
 * Dependency tracing: from the symptom service, walk caller → callee through anomalous services whose own anomaly
 * began no later than their caller's (a cause does not start after its effect), and stop at the deepest ones: a
 * service with no anomalous callee that began before it is where the fault most plausibly entered.
 *
 * Timing is compared only along call edges, where one anomaly can cause the other; roots on different branches are
 * ranked by score (then onset, then depth), because an earlier blip on an unrelated branch says nothing about cause.
 * After the roots come the propagated services (on the path, but explained by a callee), then anomalous services the
 * walk did not reach, then healthy ones, each by score.
 *
 * Without a symptom, the walk starts from every anomalous service that no anomalous service calls. Services in
 * `anomalies` but not in the graph are walked as isolated nodes (a graph gap must not hide an anomaly).
 */
export function traceRootCause(
  input: { readonly graph: ServiceGraph; readonly anomalies: readonly ServiceAnomaly[]; readonly symptom?: string },
  options: Partial<TraceOptions> = {},
): RootCauseTrace {
  const o = { ...DEFAULT_TRACE_OPTIONS, ...options };
  const { graph, symptom } = input;
  const info = new Map<string, { score: number; onset?: number; signal?: string }>();
  for (const anomaly of input.anomalies) {
    const onset = anomaly.onset === undefined ? undefined : toMillis(anomaly.onset, `${anomaly.service} onset`);
    const previous = info.get(anomaly.service);
    if (previous && previous.score >= anomaly.score) continue;
    info.set(anomaly.service, { score: anomaly.score, ...(onset !== undefined ? { onset } : {}), ...(anomaly.signal ? { signal: anomaly.signal } : {}) });
  }
  const services = [...new Set([...graph.services, ...info.keys(), ...(symptom ? [symptom] : [])])].sort();
  const scoreOf = (service: string) => info.get(service)?.score ?? 0;
  const onsetOf = (service: string) => info.get(service)?.onset;
  const isAnomalous = (service: string) => scoreOf(service) >= o.minScore;

  const startedNoLater = (callee: string, caller: string): boolean => {
    const calleeOnset = onsetOf(callee);
    const callerOnset = onsetOf(caller);
    return calleeOnset === undefined || callerOnset === undefined || calleeOnset <= callerOnset + o.onsetToleranceMs;
  };

  // Breadth-first walk through anomalous callees that began no later than their caller (a cause does not start
  // after its effect); the symptom is always a starting point, anomalous or not.
  const starts = symptom
    ? [symptom]
    : services.filter((service) => isAnomalous(service) && !graph.callers(service).some(isAnomalous));
  const parent = new Map<string, string | undefined>();
  const depth = new Map<string, number>();
  const queue: string[] = [];
  for (const start of starts) {
    parent.set(start, undefined);
    depth.set(start, 0);
    queue.push(start);
  }
  const walk = () => {
    for (let i = 0; i < queue.length; i++) {
      const current = queue[i];
      for (const callee of graph.callees(current)) {
        if (depth.has(callee) || !isAnomalous(callee) || !startedNoLater(callee, current)) continue;
        parent.set(callee, current);
        depth.set(callee, (depth.get(current) ?? 0) + 1);
        queue.push(callee);
      }
    }
  };
  walk();
  if (!symptom) {
    // A cycle of anomalous services has no entry without anomalous callers: start it from its first member.
    for (const service of services) {
      if (!isAnomalous(service) || depth.has(service)) continue;
      parent.set(service, undefined);
      depth.set(service, 0);
      queue.push(service);
      walk();
    }
  }
  const pathTo = (service: string): string[] => {
    const path: string[] = [];
    for (let at: string | undefined = service; at !== undefined; at = parent.get(at)) path.unshift(at);
    return path;
  };

  const known = services.map((service) => onsetOf(service)).filter((onset): onset is number => onset !== undefined && Number.isFinite(onset));
  const earliest = known.length > 0 ? Math.min(...known) : 0;
  const bucket = (service: string): number => {
    const onset = onsetOf(service);
    if (onset === undefined || !isAnomalous(service)) return Infinity;
    return o.onsetToleranceMs > 0 ? Math.floor((onset - earliest) / o.onsetToleranceMs) : onset - earliest;
  };

  type Draft = Omit<RootCauseCandidate, 'rank'>;
  const drafts: Draft[] = services.map((service) => {
    const base = { service, score: scoreOf(service), ...(onsetOf(service) !== undefined ? { onset: onsetOf(service) } : {}), ...(info.get(service)?.signal ? { signal: info.get(service)?.signal } : {}) };
    if (!isAnomalous(service)) return { ...base, role: 'healthy' as const };
    if (!depth.has(service)) return { ...base, role: 'unreachable' as const };
    const explainedBy = graph.callees(service).filter((callee) => isAnomalous(callee) && startedNoLater(callee, service));
    const reach = { depth: depth.get(service), path: pathTo(service) };
    return explainedBy.length === 0 ? { ...base, ...reach, role: 'root' as const } : { ...base, ...reach, role: 'propagated' as const, explainedBy };
  });

  const roleOrder: Record<CandidateRole, number> = { root: 0, propagated: 1, unreachable: 2, healthy: 3 };
  const candidates = drafts
    .sort(
      (a, b) =>
        roleOrder[a.role] - roleOrder[b.role] ||
        b.score - a.score ||
        compareNumbers(bucket(a.service), bucket(b.service)) ||
        (b.depth ?? -1) - (a.depth ?? -1) ||
        (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
    )
    .map((draft, index) => ({ rank: index + 1, ...draft }));

  const roots = candidates.filter((candidate) => candidate.role === 'root');
  const top = roots[0];
  let confidence = 0;
  if (top) {
    // Strength: 0.5 at the threshold, toward 1 above it. Exclusivity: the top root's share of all roots' scores.
    const strength = top.score / (top.score + o.minScore);
    const exclusivity = top.score / roots.reduce((sum, root) => sum + root.score, 0);
    confidence = Math.round(strength * exclusivity * 1000) / 1000;
  }
  return { ...(symptom ? { symptom } : {}), candidates, ...(top ? { top } : {}), confidence };
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
