import { ClickHouseReader, instantParam, toNumber } from '../clickhouse-reader';
import { InvestigationScope } from '../investigation-scope';

/** What the spans say about where a service runs: for the proposer's targets and the risk assessor's blast radius. */
export interface ServiceFootprint {
  readonly service: string;
  /** Distinct `k8s.pod.name` seen in the window (absent when spans carry none). */
  readonly replicas?: number;
  /** 0..1: its requests (server or root spans) over every service's, weighted. */
  readonly trafficShare?: number;
  /** Resource attribute `deployment.environment.name`, `deployment.environment` or `environment`. */
  readonly environment?: string;
  /** Resource attributes `k8s.namespace.name` and `k8s.deployment.name`, when both are present. */
  readonly k8s?: { readonly namespace: string; readonly deployment: string };
  /** Its containers OOMKilled in the range, from the Kubernetes events among its logs (absent when none). */
  readonly oomKills?: number;
}

interface FootprintRow {
  readonly pods: number | string;
  readonly requests: number | string;
  readonly allRequests: number | string;
  readonly environment: string;
  readonly namespace: string;
  readonly deployment: string;
}

const REQUEST_SPAN = `(SpanKind IN ('Server', 'SPAN_KIND_SERVER', 'Consumer', 'SPAN_KIND_CONSUMER') OR ParentSpanId = '')`;
const ENVIRONMENT = `coalesce(nullIf(ResourceAttributes['deployment.environment.name'], ''), nullIf(ResourceAttributes['deployment.environment'], ''), nullIf(ResourceAttributes['environment'], ''), '')`;

/** A Kubernetes OOMKilled event as the k8sobjects / events receivers log it (reason attribute), or its message. */
const OOM_KILLED_LOG = `(LogAttributes['k8s.event.reason'] = 'OOMKilled' OR (positionCaseInsensitive(Body, 'OOMKilled') > 0 AND (SeverityNumber >= 17 OR upper(SeverityText) IN ('ERROR', 'FATAL', 'WARN', 'WARNING'))))`;

/**
 * Replicas, traffic share, environment and Kubernetes workload of a service, from its spans in the investigated
 * range, and its OOM kills from its logs (a leak's signature, which the hypotheses take as the service's own fact).
 */
export class ServiceFootprintQuery {
  constructor(private readonly reader: ClickHouseReader) {}

  async gather(scope: InvestigationScope, service: string): Promise<ServiceFootprint> {
    const [row] = await this.reader.rows<FootprintRow>(
      `SELECT uniqExactIf(ResourceAttributes['k8s.pod.name'], ServiceName = {service:String} AND ResourceAttributes['k8s.pod.name'] != '') AS pods,
              sumIf(SampleWeight, ServiceName = {service:String} AND ${REQUEST_SPAN}) AS requests,
              sumIf(SampleWeight, ${REQUEST_SPAN}) AS allRequests,
              anyIf(${ENVIRONMENT}, ServiceName = {service:String} AND ${ENVIRONMENT} != '') AS environment,
              anyIf(ResourceAttributes['k8s.namespace.name'], ServiceName = {service:String} AND ResourceAttributes['k8s.namespace.name'] != '') AS namespace,
              anyIf(ResourceAttributes['k8s.deployment.name'], ServiceName = {service:String} AND ResourceAttributes['k8s.deployment.name'] != '') AS deployment
       FROM ${this.reader.table('otel_traces')}
       WHERE Timestamp >= ${instantParam('from')} AND Timestamp < ${instantParam('to')}`,
      { service, from: scope.seriesStart, to: scope.end },
    );
    const [oom] = await this.reader.rows<{ kills: number | string }>(
      `SELECT round(sum(SampleWeight)) AS kills FROM ${this.reader.table('otel_logs')}
       WHERE ServiceName = {service:String} AND Timestamp >= ${instantParam('from')} AND Timestamp < ${instantParam('to')} AND ${OOM_KILLED_LOG}`,
      { service, from: scope.seriesStart, to: scope.end },
    );
    const oomKills = toNumber(oom?.kills);
    if (!row) return { service, ...(oomKills > 0 ? { oomKills } : {}) };
    const pods = toNumber(row.pods);
    const allRequests = toNumber(row.allRequests);
    return {
      service,
      ...(pods > 0 ? { replicas: pods } : {}),
      ...(allRequests > 0 ? { trafficShare: Math.round((toNumber(row.requests) / allRequests) * 1000) / 1000 } : {}),
      ...(row.environment ? { environment: row.environment } : {}),
      ...(row.namespace && row.deployment ? { k8s: { namespace: row.namespace, deployment: row.deployment } } : {}),
      ...(oomKills > 0 ? { oomKills } : {}),
    };
  }
}
