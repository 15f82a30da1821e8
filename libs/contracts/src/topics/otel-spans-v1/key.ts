/**
 * Key of `otel.spans.v1`: the trace id (32 lowercase hex characters). Every span of a trace lands on one partition,
 * and so do the trace's logs on `otel.logs.v1`, which must have the same partition count.
 */
export type OtelSpansKeyV1 = string;

export function otelSpansKeyV1(traceId: string): OtelSpansKeyV1 {
  return traceId;
}
