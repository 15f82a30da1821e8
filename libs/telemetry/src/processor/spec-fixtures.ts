/** Telemetry fixtures for the specs of the processor and the ClickHouse writer. */
import { randomBytes } from 'node:crypto';
import { OTEL_LOGS_V1, OTEL_SPANS_V1, otelLogsV1, otelSpansV1, type LogRecordV1, type SpanV1 } from '@vigil/contracts';
import type { BusMessage, DeliveredBatch } from '../bus/telemetry-bus';

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const nanosAt = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();

/** A trace id whose sampling value (rightmost 56 bits) is `fraction` of its range: < rate is kept by hash. */
export function traceIdAt(fraction: number): string {
  return `${hex(9)}${BigInt(Math.floor(fraction * 2 ** 56)).toString(16).padStart(14, '0')}`;
}

export function makeSpan(traceId: string, overrides: Partial<SpanV1> & { startMs?: number; durationMs?: number } = {}): SpanV1 {
  const { startMs = Date.now(), durationMs = 2.5, ...fields } = overrides;
  return {
    traceId, spanId: hex(8), parentSpanId: '', traceState: '', name: 'GET /pay', kind: 'Server',
    startTimeUnixNano: nanosAt(startMs), endTimeUnixNano: (BigInt(nanosAt(startMs)) + BigInt(Math.round(durationMs * 1e6))).toString(),
    serviceName: 'checkout', resourceSchemaUrl: '', resourceAttributes: { 'service.name': 'checkout' }, scopeName: 's', scopeVersion: '1',
    attributes: {}, numericAttributes: {}, statusCode: 'Unset', statusMessage: '', events: [], links: [], correlationId: '', sampleWeight: 1,
    ...fields,
  };
}

export function makeLog(traceId: string, overrides: Partial<LogRecordV1> = {}): LogRecordV1 {
  return {
    timeUnixNano: nanosAt(Date.now()), observedTimeUnixNano: nanosAt(Date.now()), traceId, spanId: '', traceFlags: 1, severityText: 'INFO',
    severityNumber: 9, serviceName: 'checkout', body: 'ok', resourceSchemaUrl: '', resourceAttributes: {}, scopeSchemaUrl: '', scopeName: '',
    scopeVersion: '', scopeAttributes: {}, attributes: {}, numericAttributes: {}, correlationId: '', sampleWeight: 1, ...overrides,
  };
}

let sequence = 0;

/** One bus message per span (as the receiver publishes one per trace and request). */
export function spansBatch(spans: SpanV1[]): DeliveredBatch {
  const messages: BusMessage[] = spans.map((span) => ({
    topic: OTEL_SPANS_V1, partition: 0, key: span.traceId, id: `spec-spans/${sequence++}`,
    value: otelSpansV1.encode({ v: 1, traceId: span.traceId, spans: [span] }),
  }));
  return { topic: OTEL_SPANS_V1, partition: 0, messages };
}

export function logsBatch(logs: LogRecordV1[]): DeliveredBatch {
  const messages: BusMessage[] = logs.map((log) => ({
    topic: OTEL_LOGS_V1, partition: 0, key: log.traceId || null, id: `spec-logs/${sequence++}`,
    value: otelLogsV1.encode({ v: 1, traceId: log.traceId, logs: [log] }),
  }));
  return { topic: OTEL_LOGS_V1, partition: 0, messages };
}
