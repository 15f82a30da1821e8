import { jsonCodec, type TopicContract } from '../common';
import { otelMetricsKeyV1, type MetricSeriesV1 } from './key';
import type { OtelMetricsValueV1 } from './value';

export * from './key';
export * from './value';

export const OTEL_METRICS_V1 = 'otel.metrics.v1';

export const otelMetricsV1: TopicContract<MetricSeriesV1, OtelMetricsValueV1> = {
  name: OTEL_METRICS_V1,
  version: 1,
  key: otelMetricsKeyV1,
  ...jsonCodec<OtelMetricsValueV1>(OTEL_METRICS_V1, 1, (value) =>
    typeof value.series !== 'string' || !Array.isArray(value.points) ? 'series (string) and points (array) are required' : null),
};
