import { InstantInput, toMillis } from '../internal/time';
import { DEFAULT_TRACE_OPTIONS, ServiceAnomaly, TraceOptions, traceRootCause } from '../dependency/root-cause';
import { ServiceGraph } from '../dependency/service-graph';
import { isTrafficSignal } from '../investigate';

/**
 * One fault shows up as many anomalies: the faulty service's own, its callers' errors and latency, SLO burn rates,
 * traffic shifts downstream. Responders want one proposal for it, made from the investigation of the anomaly closest
 * to the cause. This groups the anomalies detected around the same time on services that call each other, and picks
 * that lead anomaly; the other investigations record their findings but leave the proposal to the lead's.
 */

/** An anomaly the detector (or an alert webhook) raised, as the grouping needs it. */
export interface DetectedAnomalyRef {
  readonly anomalyId: string;
  readonly service: string;
  readonly signal: string;
  /** Where its window starts: the first minute the detector found anomalous (an SLO alert's long window start). */
  readonly onset: InstantInput;
  /** Where its window ends; absent: at the onset. A burn-rate alert's window spans hours and meets every RED onset in it. */
  readonly end?: InstantInput;
  readonly score: number;
}

export interface IncidentGroupOptions {
  /** Anomalies whose windows are at most this far apart (or overlap) may belong to one fault. Default 15 min. */
  readonly windowMs: number;
  readonly trace: Partial<TraceOptions>;
}

export const DEFAULT_INCIDENT_GROUP_OPTIONS: IncidentGroupOptions = { windowMs: 15 * 60_000, trace: {} };

export interface IncidentGroup<A extends DetectedAnomalyRef = DetectedAnomalyRef> {
  /** The anomalies of the fault, `self` first, then by onset. */
  readonly members: readonly A[];
  /** The anomaly whose investigation proposes the remediation. */
  readonly lead: A;
  /** The service dependency tracing over the group names as the root, when it names one. */
  readonly root?: string;
}

/**
 * Groups `self` with the `others` whose windows are within `windowMs` of a member's on the same service or on a service it
 * calls or is called by (directly, or through a service the span evidence finds anomalous), then picks the lead:
 * - only errors, latency and SLO anomalies compete when the group has any (a traffic shift is a consequence);
 * - dependency tracing over the members (no symptom: the walk starts at every top-level anomalous service, onsets
 *   from the detector, merged with the evidence's `serviceAnomalies`) names the root; a member whose window says
 *   nothing of when the fault began (a burn-rate alert over hours or days) is traced only when nothing is dated;
 * - the lead is an anomaly on the root, else on the deepest service of the walk's path to it that has one; roots
 *   with a dated detected anomaly come before roots only the evidence shows;
 * - on that service a RED anomaly before an SLO one, then the earliest onset, then the smallest id (so every
 *   investigation of the group picks the same lead from the same anomalies);
 * - an anomaly in `cannotLead` is skipped: the lead is then the next one up the path.
 */
export function incidentGroup<A extends DetectedAnomalyRef>(
  input: {
    readonly self: A;
    readonly others: readonly A[];
    readonly graph: ServiceGraph;
    readonly serviceAnomalies?: readonly ServiceAnomaly[];
    /**
     * Anomalies that may not lead (their investigation gave up without evidence): they still group and count for
     * tracing, but the lead is the next anomaly on the path to the root. Ignored when no other member could lead.
     */
    readonly cannotLead?: ReadonlySet<string>;
  },
  options: Partial<IncidentGroupOptions> = {},
): IncidentGroup<A> {
  const o = { ...DEFAULT_INCIDENT_GROUP_OPTIONS, ...options };
  const trace = { ...DEFAULT_TRACE_OPTIONS, ...o.trace };
  const { self, graph } = input;
  const onsetOf = (anomaly: DetectedAnomalyRef) => toMillis(anomaly.onset, `${anomaly.anomalyId} onset`);
  const endOf = (anomaly: DetectedAnomalyRef) => (anomaly.end === undefined ? onsetOf(anomaly) : toMillis(anomaly.end, `${anomaly.anomalyId} end`));
  // A window longer than the grouping window (a burn-rate alert's hour) counts from its last `windowMs`: the alert
  // fires on a recent burn, and its hour would otherwise reach back to an earlier, unrelated fault's anomalies.
  const startOf = (anomaly: DetectedAnomalyRef) => Math.max(onsetOf(anomaly), endOf(anomaly) - o.windowMs);
  const gap = (a: DetectedAnomalyRef, b: DetectedAnomalyRef) => Math.max(0, Math.max(startOf(a), startOf(b)) - Math.min(endOf(a), endOf(b)));
  const bridges = new Set((input.serviceAnomalies ?? []).filter((anomaly) => anomaly.score >= trace.minScore).map((anomaly) => anomaly.service));
  const neighbours = (service: string) => [...graph.callees(service), ...graph.callers(service)];
  // Services reachable from `service` through direct calls, stepping only through span-evidence-anomalous services.
  const linked = (from: string, to: string): boolean => {
    if (from === to) return true;
    const seen = new Set([from]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      for (const next of neighbours(queue[i])) {
        if (next === to) return true;
        if (seen.has(next) || !bridges.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return false;
  };

  const members: A[] = [self];
  const pending = input.others.filter((other) => other.anomalyId !== self.anomalyId);
  for (let grew = true; grew; ) {
    grew = false;
    for (const candidate of [...pending]) {
      const joins = members.some((member) => gap(member, candidate) <= o.windowMs && linked(member.service, candidate.service));
      if (!joins) continue;
      members.push(candidate);
      pending.splice(pending.indexOf(candidate), 1);
      grew = true;
    }
  }
  const ordered = [self, ...members.slice(1).sort((a, b) => onsetOf(a) - onsetOf(b) || compareText(a.anomalyId, b.anomalyId))];

  const impact = ordered.filter((member) => !isTrafficSignal(member.signal));
  const pool = impact.length > 0 ? impact : ordered;
  // A window longer than the grouping window (a burn-rate alert's hour) says when the budget burned, not when the
  // fault began: such a member has no onset for tracing.
  const onsetForTracing = (member: A): { onset?: number } => (endOf(member) - onsetOf(member) > o.windowMs ? {} : { onset: onsetOf(member) });
  // An undated anomaly on a callee "explains" every dated one above it (no onset is no evidence against it): a 3-day
  // burn-rate alert on payment-provider took a bad deploy's root from payment. Once anything in the group is dated,
  // only dated anomalies are traced.
  const dated = pool.filter((member) => onsetForTracing(member).onset !== undefined);
  const datedEvidence = (input.serviceAnomalies ?? []).some((anomaly) => anomaly.score >= trace.minScore && anomaly.onset !== undefined);
  const tracedPool = dated.length > 0 || datedEvidence ? dated : pool;
  const detected = tracedPool.map((member): ServiceAnomaly => ({ service: member.service, score: Math.max(member.score, trace.minScore), ...onsetForTracing(member), signal: member.signal }));
  const evidence = (input.serviceAnomalies ?? []).map((anomaly): ServiceAnomaly => {
    // The detector's onset is the earlier one when both saw the service: its series are complete, the spans sampled.
    const own = detected.filter((entry) => entry.service === anomaly.service && entry.onset !== undefined).map((entry) => entry.onset as number);
    const onset = anomaly.onset === undefined ? undefined : toMillis(anomaly.onset, `${anomaly.service} onset`);
    const earliest = own.length > 0 ? Math.min(...own, ...(onset !== undefined ? [onset] : [])) : onset;
    return { ...anomaly, ...(earliest !== undefined ? { onset: earliest } : {}) };
  });
  const traced = traceRootCause({ graph, anomalies: [...evidence, ...detected] }, trace);

  const able = pool.filter((member) => !input.cannotLead?.has(member.anomalyId));
  const leaders = able.length > 0 ? able : pool;
  const onService = (service: string) => leaders.filter((member) => member.service === service).sort(leadOrder(onsetOf))[0];
  // A root the detector dated (complete RED minutes) before one only the evidence shows: a low-traffic service's
  // per-minute p99 from a few sampled spans jumped by chance, and outranked a leaking service's detected anomaly.
  const detectedServices = new Set(dated.map((member) => member.service));
  const roots = traced.candidates.filter((candidate) => candidate.role === 'root');
  const ranked = [...roots.filter((root) => detectedServices.has(root.service)), ...roots.filter((root) => !detectedServices.has(root.service))];
  for (const root of ranked) {
    const path = root.path ?? [root.service];
    for (let i = path.length - 1; i >= 0; i--) {
      const lead = onService(path[i]);
      if (lead) return { members: ordered, lead, root: root.service };
    }
  }
  return { members: ordered, lead: [...leaders].sort(leadOrder(onsetOf))[0], ...(traced.top ? { root: traced.top.service } : {}) };
}

const isSloSignal = (signal: string) => signal.startsWith('slo:');

function leadOrder(onsetOf: (anomaly: DetectedAnomalyRef) => number) {
  return (a: DetectedAnomalyRef, b: DetectedAnomalyRef) =>
    Number(isSloSignal(a.signal)) - Number(isSloSignal(b.signal)) || onsetOf(a) - onsetOf(b) || compareText(a.anomalyId, b.anomalyId);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
