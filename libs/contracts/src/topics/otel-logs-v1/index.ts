import { jsonCodec, type TopicContract } from '../common';
import { otelLogsKeyV1 } from './key';
import type { OtelLogsValueV1 } from './value';

export * from './key';
export * from './value';

export const OTEL_LOGS_V1 = 'otel.logs.v1';

export const otelLogsV1: TopicContract<string, OtelLogsValueV1> = {
  name: OTEL_LOGS_V1,
  version: 1,
  key: otelLogsKeyV1,
  ...jsonCodec<OtelLogsValueV1>(OTEL_LOGS_V1, 1, (value) =>
    typeof value.traceId !== 'string' || !Array.isArray(value.logs) ? 'traceId (string) and logs (array) are required' : null),
};
