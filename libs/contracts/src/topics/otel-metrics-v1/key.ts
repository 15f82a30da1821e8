import { createHash } from 'node:crypto';
import type { StringAttributes } from '../common';

/**
 * Key of `otel.metrics.v1`: the series, i.e. a stable hash of (service, metric name, data point attributes with
 * sorted keys), so all points of a series stay in order on one partition.
 */
export type OtelMetricsKeyV1 = string;

export interface MetricSeriesV1 {
  serviceName: string;
  metricName: string;
  attributes: StringAttributes;
}

export function otelMetricsKeyV1(series: MetricSeriesV1): OtelMetricsKeyV1 {
  const attributes = Object.keys(series.attributes).sort().map((key) => [key, series.attributes[key]]);
  return createHash('sha256').update(JSON.stringify([series.serviceName, series.metricName, attributes])).digest('hex').slice(0, 32);
}
