import type { NumericAttributes, StringAttributes, UnixNanos } from '../common';

export type SpanKindV1 = 'Unspecified' | 'Internal' | 'Server' | 'Client' | 'Producer' | 'Consumer';
export type StatusCodeV1 = 'Unset' | 'Ok' | 'Error';

export interface SpanEventV1 {
  timeUnixNano: UnixNanos;
  name: string;
  attributes: StringAttributes;
}

export interface SpanLinkV1 {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: StringAttributes;
}

/** One span, denormalised with its resource and scope (a "wide event"). Ids are lowercase hex. */
export interface SpanV1 {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: SpanKindV1;
  startTimeUnixNano: UnixNanos;
  endTimeUnixNano: UnixNanos;
  serviceName: string;
  resourceSchemaUrl: string;
  resourceAttributes: StringAttributes;
  scopeName: string;
  scopeVersion: string;
  attributes: StringAttributes;
  numericAttributes: NumericAttributes;
  statusCode: StatusCodeV1;
  statusMessage: string;
  events: SpanEventV1[];
  links: SpanLinkV1[];
  /** From a `correlation.id` / `correlation_id` attribute, else empty. */
  correlationId: string;
  /** How many spans this one stands for (1 unless sampled). */
  sampleWeight: number;
}

/** Value of `otel.spans.v1`: the spans of one trace from one export request. */
export interface OtelSpansValueV1 {
  v: 1;
  traceId: string;
  spans: SpanV1[];
}
