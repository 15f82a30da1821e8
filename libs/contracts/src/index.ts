export * from './topics/common';
export * from './topics/otel-spans-v1';
export * from './topics/otel-logs-v1';
export * from './topics/otel-metrics-v1';

import { OTEL_LOGS_V1 } from './topics/otel-logs-v1';
import { OTEL_METRICS_V1 } from './topics/otel-metrics-v1';
import { OTEL_SPANS_V1 } from './topics/otel-spans-v1';

export type TelemetryTopic = typeof OTEL_SPANS_V1 | typeof OTEL_LOGS_V1 | typeof OTEL_METRICS_V1;
/** Topics that MUST share one partition count (co-partitioned by trace id). */
export const CO_PARTITIONED_TOPICS: readonly TelemetryTopic[] = [OTEL_SPANS_V1, OTEL_LOGS_V1];
