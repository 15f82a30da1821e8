import { buildServiceGraph, downstreamDistances, InvestigationInput, isTrafficSignal, OnsetOptions, ServiceFacts, ServiceTarget } from '@vigil/investigation';
import { SpanAttributeCountsOptions, SpanAttributeCountsQuery } from './bubbleup/span-attribute-counts.query';
import { ClickHouseReader, instantParam, TelemetryStore, toNumber } from './clickhouse-reader';
import { ChangeEventsOptions, ChangeEventsQuery } from './deployment/change-events.query';
import { ServiceAnomaliesQuery } from './dependency/service-anomalies.query';
import { ServiceEdgesQuery } from './dependency/service-edges.query';
import { ServiceFootprint, ServiceFootprintQuery } from './facts/service-footprint.query';
import { AnomalyToInvestigate, investigationScope, ScopeOptions } from './investigation-scope';
import { ErrorLogsOptions, ErrorLogsQuery } from './logs/error-logs.query';

export interface InvestigationEvidenceOptions {
  readonly scope: Partial<ScopeOptions>;
  readonly spanAttributes: Partial<SpanAttributeCountsOptions>;
  readonly changes: Partial<ChangeEventsOptions>;
  readonly logs: Partial<ErrorLogsOptions>;
  /** Dependency tracing's onsets. Default {@link DEFAULT_EVIDENCE_ONSET}. */
  readonly onset: Partial<OnsetOptions>;
  /**
   * How the executors address a service. Default: the ArgoCD application named after the service, and the
   * Kubernetes Deployment its spans name (`k8s.namespace.name` / `k8s.deployment.name`).
   */
  readonly targetOf: (service: string, footprint: ServiceFootprint) => ServiceTarget | undefined;
  /** Dependency tracing's anomalous services need at least this score to get a footprint (targets, replicas). Default 5. */
  readonly minAnomalyScore: number;
  /**
   * Spans reach otel_traces after tail sampling's decision wait, behind the RED rollup the detector reads: before
   * reading, wait up to this long for the service's spans to cover the anomaly's window (then read what there is).
   * Default 30 s.
   */
  readonly awaitSpansMs: number;
  /** How often to look meanwhile. Default 1 s. */
  readonly awaitPollMs: number;
}

/**
 * Per-minute p99s of low-traffic services spike for a minute now and then: dependency tracing takes an onset only from
 * two anomalous minutes in a row (or the last minute), so a blip on a healthy callee does not pass for the root. The
 * scale is never below 1 (a percentage point of error rate, a millisecond of p99): a healthy service's baseline error
 * rate is 0 with no spread, and one stray error would otherwise be an infinitely anomalous minute before the fault.
 */
export const DEFAULT_EVIDENCE_ONSET: Partial<OnsetOptions> = { minRunPoints: 2, absoluteScaleFloor: 1 };

export const conventionalTarget = (service: string, footprint: ServiceFootprint): ServiceTarget => ({
  argocdApp: service,
  ...(footprint.k8s ? { k8s: footprint.k8s } : {}),
});

export interface InvestigationEvidence {
  /** Everything `investigate()` takes, for this anomaly. */
  readonly input: InvestigationInput;
  /** Where each service that may be acted on runs (the anomaly's, changed and anomalous ones). */
  readonly footprints: ReadonlyMap<string, ServiceFootprint>;
}

/**
 * The investigation agents' queries over the telemetry store, run for one anomaly: BubbleUp counts, the service
 * graph and per-service onsets, the changes of the service and its dependencies, error logs, and the footprint
 * (replicas, traffic share, environment, workload) of every service a remediation may target.
 */
export class InvestigationEvidenceGatherer {
  private readonly options: InvestigationEvidenceOptions;
  private readonly spanAttributes: SpanAttributeCountsQuery;
  private readonly changes: ChangeEventsQuery;
  private readonly edges: ServiceEdgesQuery;
  private readonly anomalies: ServiceAnomaliesQuery;
  private readonly logs: ErrorLogsQuery;
  private readonly footprint: ServiceFootprintQuery;
  private readonly reader: ClickHouseReader;

  constructor(store: TelemetryStore, options: Partial<InvestigationEvidenceOptions> = {}) {
    this.options = { scope: {}, spanAttributes: {}, changes: {}, logs: {}, onset: DEFAULT_EVIDENCE_ONSET, targetOf: conventionalTarget, minAnomalyScore: 5, awaitSpansMs: 30_000, awaitPollMs: 1_000, ...options };
    const reader = new ClickHouseReader(store);
    this.reader = reader;
    this.spanAttributes = new SpanAttributeCountsQuery(reader, this.options.spanAttributes);
    this.changes = new ChangeEventsQuery(reader, this.options.changes);
    this.edges = new ServiceEdgesQuery(reader);
    this.anomalies = new ServiceAnomaliesQuery(reader, this.options.onset);
    this.logs = new ErrorLogsQuery(reader, this.options.logs);
    this.footprint = new ServiceFootprintQuery(reader);
  }

  async gather(anomaly: AnomalyToInvestigate & { readonly summary?: string }): Promise<InvestigationEvidence> {
    const scope = investigationScope(anomaly, this.options.scope);
    await this.spansCovering(scope.service, Date.parse(anomaly.window.end));
    const edges = await this.edges.gather(scope);
    const graph = buildServiceGraph(edges, [scope.service]);
    // A traffic change comes from the callers: every service may be where the load hurts.
    const dependencies = isTrafficSignal(scope.signal) ? [...graph.services] : [...downstreamDistances(graph, scope.service).keys()];
    const [bubbleUp, changes, serviceAnomalies, ownLogs] = await Promise.all([
      this.spanAttributes.gather(scope),
      this.changes.gather(scope, dependencies),
      this.anomalies.gather(scope, dependencies),
      this.logs.gather(scope),
    ]);
    // The anomalous dependencies' error logs too: the root's own (an OOM, a saturated pool) name its cause.
    const anomalous = serviceAnomalies.filter((entry) => entry.score >= this.options.minAnomalyScore && entry.service !== scope.service).map((entry) => entry.service).sort();
    const otherLogs = await Promise.all(anomalous.map((service) => this.logs.gather({ ...scope, service })));
    const logs = { rows: [ownLogs, ...otherLogs].flatMap((part) => part.rows), baseline: [ownLogs, ...otherLogs].flatMap((part) => part.baseline) };
    const candidates = new Set([
      scope.service,
      ...changes.map((change) => change.service),
      ...serviceAnomalies.filter((entry) => entry.score >= this.options.minAnomalyScore).map((entry) => entry.service),
    ]);
    const footprints = new Map(await Promise.all([...candidates].sort().map(async (service) => [service, await this.footprint.gather(scope, service)] as const)));
    const targets: Record<string, ServiceTarget> = {};
    for (const [service, footprint] of footprints) {
      const target = this.options.targetOf(service, footprint);
      if (target) targets[service] = target;
    }
    const facts: ServiceFacts[] = [...footprints.values()].flatMap((footprint) =>
      footprint.replicas !== undefined || footprint.oomKills !== undefined
        ? [{ service: footprint.service, ...(footprint.replicas !== undefined ? { replicas: footprint.replicas } : {}), ...(footprint.oomKills !== undefined ? { oomKills: footprint.oomKills } : {}) }]
        : [],
    );
    return {
      input: {
        // The window's end too: a long window (an SLO burn's) is dated by the service's own onset in serviceAnomalies.
        anomaly: { service: scope.service, signal: scope.signal, onset: scope.onset, end: Date.parse(anomaly.window.end), ...(anomaly.summary ? { summary: anomaly.summary } : {}) },
        bubbleUp,
        changes,
        edges,
        serviceAnomalies,
        logs,
        facts,
        targets,
      },
      footprints,
    };
  }

  /** Until the service has spans in the last 10 s of the anomaly's window, or `awaitSpansMs` has passed. */
  private async spansCovering(service: string, windowEnd: number): Promise<void> {
    const deadline = Date.now() + this.options.awaitSpansMs;
    for (;;) {
      const [row] = await this.reader.rows<{ n: number | string }>(
        `SELECT count() AS n FROM ${this.reader.table('otel_traces')}
         WHERE ServiceName = {service:String} AND Timestamp >= ${instantParam('from')} AND Timestamp < ${instantParam('to')}`,
        { service, from: windowEnd - 10_000, to: windowEnd + 60_000 },
      );
      if (toNumber(row?.n) > 0 || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, this.options.awaitPollMs));
    }
  }
}
