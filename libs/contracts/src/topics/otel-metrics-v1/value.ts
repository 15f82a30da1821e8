import type { StringAttributes, UnixNanos } from '../common';

export type MetricTypeV1 = 'gauge' | 'sum' | 'histogram';

export interface ExemplarV1 {
  filteredAttributes: StringAttributes;
  timeUnixNano: UnixNanos;
  value: number;
  spanId: string;
  traceId: string;
}

/** One metric data point, denormalised with its metric, resource and scope. */
export interface MetricPointV1 {
  type: MetricTypeV1;
  serviceName: string;
  metricName: string;
  description: string;
  unit: string;
  resourceSchemaUrl: string;
  resourceAttributes: StringAttributes;
  scopeSchemaUrl: string;
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: StringAttributes;
  scopeDroppedAttrCount: number;
  attributes: StringAttributes;
  startTimeUnixNano: UnixNanos;
  timeUnixNano: UnixNanos;
  flags: number;
  exemplars: ExemplarV1[];
  /** gauge and sum */
  value?: number;
  /** sum and histogram (AGGREGATION_TEMPORALITY_* number) */
  aggregationTemporality?: number;
  /** sum */
  isMonotonic?: boolean;
  /** histogram */
  count?: string;
  sum?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
  min?: number;
  max?: number;
}

/** Value of `otel.metrics.v1`: the data points of one series from one export request. */
export interface OtelMetricsValueV1 {
  v: 1;
  series: string;
  points: MetricPointV1[];
}
