import { jsonCodec, type TopicContract } from '../common';
import { otelSpansKeyV1 } from './key';
import type { OtelSpansValueV1 } from './value';

export * from './key';
export * from './value';

export const OTEL_SPANS_V1 = 'otel.spans.v1';

export const otelSpansV1: TopicContract<string, OtelSpansValueV1> = {
  name: OTEL_SPANS_V1,
  version: 1,
  key: otelSpansKeyV1,
  ...jsonCodec<OtelSpansValueV1>(OTEL_SPANS_V1, 1, (value) =>
    typeof value.traceId !== 'string' || !Array.isArray(value.spans) ? 'traceId (string) and spans (array) are required' : null),
};
