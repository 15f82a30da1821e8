/**
 * Key of `otel.logs.v1`: the trace id, so a trace's logs share the partition of its spans on `otel.spans.v1`
 * (both topics MUST have the same partition count and the default murmur2 partitioner). Logs outside any trace
 * have no key and spread over the partitions.
 */
export type OtelLogsKeyV1 = string | null;

export function otelLogsKeyV1(traceId: string): OtelLogsKeyV1 {
  return traceId === '' ? null : traceId;
}
