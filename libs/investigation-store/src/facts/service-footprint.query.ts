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

/** Replicas, traffic share, environment and Kubernetes workload of a service, from its spans in the investigated range. */
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
    if (!row) return { service };
    const pods = toNumber(row.pods);
    const allRequests = toNumber(row.allRequests);
    return {
      service,
      ...(pods > 0 ? { replicas: pods } : {}),
      ...(allRequests > 0 ? { trafficShare: Math.round((toNumber(row.requests) / allRequests) * 1000) / 1000 } : {}),
      ...(row.environment ? { environment: row.environment } : {}),
      ...(row.namespace && row.deployment ? { k8s: { namespace: row.namespace, deployment: row.deployment } } : {}),
    };
  }
}
