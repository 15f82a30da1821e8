import { LOGS, METRICS, TRACES } from '@vigil/telemetry';
import { SEVERITY, type Attributes, type GeneratedLog, type GeneratedMetricPoint, type GeneratedSpan, type PodResource, type TelemetrySlice } from './scenario';

/** OTLP/HTTP request bodies (binary protobuf), one array per signal, in send order. */
export interface OtlpBodies {
  readonly traces: Buffer[];
  readonly logs: Buffer[];
  readonly metrics: Buffer[];
  readonly spanCount: number;
  readonly logCount: number;
  readonly pointCount: number;
}

export interface EncodeOptions {
  /** Items per request body. Default 1 000 (an SDK batch processor's 512–2 048). */
  readonly maxItemsPerRequest?: number;
}

const SCOPE = { name: 'vigil-scenarios', version: '1.0.0' };

/** Encodes a slice with the generated opentelemetry-proto types the receiver decodes with. */
export function encodeSlice(slice: TelemetrySlice, options: EncodeOptions = {}): OtlpBodies {
  const size = options.maxItemsPerRequest ?? 1_000;
  return {
    traces: chunks(slice.spans, size).map(encodeTraces),
    logs: chunks(slice.logs, size).map(encodeLogs),
    metrics: chunks(slice.metrics, size).map(encodeMetrics),
    spanCount: slice.spans.length,
    logCount: slice.logs.length,
    pointCount: slice.metrics.length,
  };
}

export function encodeTraces(spans: readonly GeneratedSpan[]): Buffer {
  const resourceSpans = byResource(spans).map(([resource, items]) => ({
    resource: { attributes: keyValues(resource.attributes) },
    scopeSpans: [{ scope: SCOPE, spans: items.map(spanObject) }],
  }));
  return encodeWith(TRACES.requestType, { resourceSpans });
}

export function encodeLogs(logs: readonly GeneratedLog[]): Buffer {
  const resourceLogs = byResource(logs).map(([resource, items]) => ({
    resource: { attributes: keyValues(resource.attributes) },
    scopeLogs: [{ scope: SCOPE, logRecords: items.map(logObject) }],
  }));
  return encodeWith(LOGS.requestType, { resourceLogs });
}

export function encodeMetrics(points: readonly GeneratedMetricPoint[]): Buffer {
  const resourceMetrics = byResource(points).map(([resource, items]) => {
    const byName = new Map<string, GeneratedMetricPoint[]>();
    for (const point of items) {
      const group = byName.get(point.name);
      if (group) group.push(point);
      else byName.set(point.name, [point]);
    }
    return {
      resource: { attributes: keyValues(resource.attributes) },
      scopeMetrics: [{ scope: SCOPE, metrics: [...byName.values()].map(metricObject) }],
    };
  });
  return encodeWith(METRICS.requestType, { resourceMetrics });
}

function encodeWith(type: typeof TRACES.requestType, object: Record<string, unknown>): Buffer {
  // Plain objects already have the wire types (bytes as Uint8Array, fixed64 as decimal strings): no fromObject pass.
  const bytes = type.encode(object).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function spanObject(span: GeneratedSpan): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanos(span.startUs),
    endTimeUnixNano: nanos(span.endUs),
    attributes: keyValues(span.attributes),
    ...(span.error?.exception
      ? {
          events: [{
            timeUnixNano: nanos(span.endUs),
            name: 'exception',
            attributes: keyValues({
              'exception.type': span.error.exception.type,
              'exception.message': span.error.exception.message,
              ...(span.error.exception.stacktrace ? { 'exception.stacktrace': span.error.exception.stacktrace } : {}),
            }),
          }],
        }
      : {}),
    status: span.error ? { code: 2, message: span.error.message } : { code: 0 },
  };
}

function logObject(log: GeneratedLog): Record<string, unknown> {
  return {
    timeUnixNano: nanos(log.timeUs),
    observedTimeUnixNano: nanos(log.timeUs),
    severityNumber: SEVERITY[log.severityText],
    severityText: log.severityText,
    body: { stringValue: log.body },
    attributes: keyValues(log.attributes),
    ...(log.traceId ? { traceId: log.traceId, flags: 1 } : {}),
    ...(log.spanId ? { spanId: log.spanId } : {}),
  };
}

function metricObject(points: readonly GeneratedMetricPoint[]): Record<string, unknown> {
  const [first] = points;
  const dataPoints = points.map((point) => ({
    startTimeUnixNano: nanos(point.startUs),
    timeUnixNano: nanos(point.timeUs),
    ...(Number.isInteger(point.value) && point.type === 'sum' ? { asInt: point.value } : { asDouble: point.value }),
  }));
  const common = { name: first.name, unit: first.unit, description: first.description };
  // Cumulative (aggregationTemporality 2), as the k8scluster receiver reports restarts.
  return first.type === 'sum' ? { ...common, sum: { dataPoints, aggregationTemporality: 2, isMonotonic: true } } : { ...common, gauge: { dataPoints } };
}

/** Unix µs → the decimal nanoseconds string protobufjs turns into a fixed64 without float rounding. */
function nanos(micros: number): string {
  return `${Math.round(micros)}000`;
}

function keyValues(attributes: Readonly<Attributes>): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: string | number | boolean): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
}

function byResource<T extends { readonly resource: PodResource }>(items: readonly T[]): Array<[PodResource, T[]]> {
  const groups = new Map<string, [PodResource, T[]]>();
  for (const item of items) {
    const group = groups.get(item.resource.key);
    if (group) group[1].push(item);
    else groups.set(item.resource.key, [item.resource, [item]]);
  }
  return [...groups.values()];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
