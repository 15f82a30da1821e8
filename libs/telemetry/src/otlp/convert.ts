import {
  otelLogsKeyV1, otelMetricsKeyV1, otelSpansKeyV1,
  type LogRecordV1, type MetricPointV1, type OtelLogsValueV1, type OtelMetricsValueV1, type OtelSpansValueV1,
  type SpanKindV1, type SpanV1, type StatusCodeV1, type ExemplarV1,
} from '@vigil/contracts';
import type {
  PbExemplar, PbExportLogsServiceRequest, PbExportMetricsServiceRequest, PbExportTraceServiceRequest, PbHistogramDataPoint,
  PbNumberDataPoint,
} from './proto';
import { anyValueToString, hexId, int64ToString, isValidId, nanos, numericAttributes, stringAttributes } from './values';

/** One keyed message for the bus. */
export interface KeyedValue<TValue> {
  key: string | null;
  value: TValue;
}

export interface Converted<TValue> {
  messages: KeyedValue<TValue>[];
  accepted: number;
  rejected: number;
  /** Why items were rejected (deduplicated, for the partial_success error_message). */
  errors: string[];
}

const SPAN_KINDS: SpanKindV1[] = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_CODES: StatusCodeV1[] = ['Unset', 'Ok', 'Error'];
const MAX_ERRORS = 5;

class Rejections {
  count = 0;
  private readonly reasons = new Set<string>();
  add(reason: string, count = 1): void {
    this.count += count;
    if (this.reasons.size < MAX_ERRORS) this.reasons.add(reason);
  }
  list(): string[] {
    return [...this.reasons];
  }
}

function correlationIdOf(attributes: Record<string, string>): string {
  return attributes['correlation.id'] ?? attributes['correlation_id'] ?? '';
}

function groupBy<TItem, TValue>(items: TItem[], keyOf: (item: TItem) => string, make: (key: string, items: TItem[]) => KeyedValue<TValue>): KeyedValue<TValue>[] {
  const groups = new Map<string, TItem[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].map(([key, group]) => make(key, group));
}

export function convertTraces(request: PbExportTraceServiceRequest): Converted<OtelSpansValueV1> {
  const rejections = new Rejections();
  const spans: SpanV1[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resourceAttributes = stringAttributes(resourceSpans.resource?.attributes);
    const serviceName = resourceAttributes['service.name'] ?? '';
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        if (!isValidId(span.traceId, 16)) { rejections.add('invalid trace id (want 16 bytes, not all zero)'); continue; }
        if (!isValidId(span.spanId, 8)) { rejections.add('invalid span id (want 8 bytes, not all zero)'); continue; }
        if (span.parentSpanId && span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8) {
          rejections.add('invalid parent span id (want 8 bytes or empty)');
          continue;
        }
        const attributes = stringAttributes(span.attributes);
        spans.push({
          traceId: hexId(span.traceId),
          spanId: hexId(span.spanId),
          parentSpanId: hexId(span.parentSpanId),
          traceState: span.traceState ?? '',
          name: span.name ?? '',
          kind: SPAN_KINDS[span.kind ?? 0] ?? 'Unspecified',
          startTimeUnixNano: nanos(span.startTimeUnixNano),
          endTimeUnixNano: nanos(span.endTimeUnixNano),
          serviceName,
          resourceSchemaUrl: resourceSpans.schemaUrl ?? '',
          resourceAttributes,
          scopeName: scopeSpans.scope?.name ?? '',
          scopeVersion: scopeSpans.scope?.version ?? '',
          attributes,
          numericAttributes: numericAttributes(span.attributes),
          statusCode: STATUS_CODES[span.status?.code ?? 0] ?? 'Unset',
          statusMessage: span.status?.message ?? '',
          events: (span.events ?? []).map((event) => ({
            timeUnixNano: nanos(event.timeUnixNano), name: event.name ?? '', attributes: stringAttributes(event.attributes),
          })),
          links: (span.links ?? []).map((link) => ({
            traceId: hexId(link.traceId), spanId: hexId(link.spanId), traceState: link.traceState ?? '', attributes: stringAttributes(link.attributes),
          })),
          correlationId: correlationIdOf(attributes),
          sampleWeight: 1,
        });
      }
    }
  }
  const messages = groupBy(spans, (span) => span.traceId, (traceId, group): KeyedValue<OtelSpansValueV1> => ({
    key: otelSpansKeyV1(traceId), value: { v: 1, traceId, spans: group },
  }));
  return { messages, accepted: spans.length, rejected: rejections.count, errors: rejections.list() };
}

export function convertLogs(request: PbExportLogsServiceRequest): Converted<OtelLogsValueV1> {
  const rejections = new Rejections();
  const logs: LogRecordV1[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resourceAttributes = stringAttributes(resourceLogs.resource?.attributes);
    const serviceName = resourceAttributes['service.name'] ?? '';
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scopeAttributes = stringAttributes(scopeLogs.scope?.attributes);
      for (const record of scopeLogs.logRecords ?? []) {
        const hasTrace = !!record.traceId && record.traceId.length > 0;
        if (hasTrace && !isValidId(record.traceId, 16)) { rejections.add('invalid trace id (want 16 bytes or empty)'); continue; }
        if (record.spanId && record.spanId.length > 0 && !isValidId(record.spanId, 8)) { rejections.add('invalid span id (want 8 bytes or empty)'); continue; }
        const attributes = stringAttributes(record.attributes);
        const time = nanos(record.timeUnixNano);
        const observed = nanos(record.observedTimeUnixNano);
        logs.push({
          timeUnixNano: time === '0' ? observed : time,
          observedTimeUnixNano: observed,
          traceId: hexId(record.traceId),
          spanId: hexId(record.spanId),
          traceFlags: (record.flags ?? 0) & 0xff,
          severityText: record.severityText ?? '',
          severityNumber: record.severityNumber ?? 0,
          serviceName,
          body: anyValueToString(record.body),
          resourceSchemaUrl: resourceLogs.schemaUrl ?? '',
          resourceAttributes,
          scopeSchemaUrl: scopeLogs.schemaUrl ?? '',
          scopeName: scopeLogs.scope?.name ?? '',
          scopeVersion: scopeLogs.scope?.version ?? '',
          scopeAttributes,
          attributes,
          numericAttributes: numericAttributes(record.attributes),
          correlationId: correlationIdOf(attributes),
          sampleWeight: 1,
        });
      }
    }
  }
  const messages = groupBy(logs, (log) => log.traceId, (traceId, group): KeyedValue<OtelLogsValueV1> => ({
    key: otelLogsKeyV1(traceId), value: { v: 1, traceId, logs: group },
  }));
  return { messages, accepted: logs.length, rejected: rejections.count, errors: rejections.list() };
}

function exemplars(list: PbExemplar[] | null | undefined): ExemplarV1[] {
  return (list ?? []).map((exemplar) => ({
    filteredAttributes: stringAttributes(exemplar.filteredAttributes),
    timeUnixNano: nanos(exemplar.timeUnixNano),
    value: exemplar.asDouble ?? Number(int64ToString(exemplar.asInt)),
    spanId: hexId(exemplar.spanId),
    traceId: hexId(exemplar.traceId),
  }));
}

function numberValue(point: PbNumberDataPoint): number {
  if (point.asDouble !== null && point.asDouble !== undefined) return point.asDouble;
  return Number(int64ToString(point.asInt));
}

export function convertMetrics(request: PbExportMetricsServiceRequest): Converted<OtelMetricsValueV1> {
  const rejections = new Rejections();
  const points: MetricPointV1[] = [];
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const resourceAttributes = stringAttributes(resourceMetrics.resource?.attributes);
    const serviceName = resourceAttributes['service.name'] ?? '';
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const scope = scopeMetrics.scope;
      const scopeAttributes = stringAttributes(scope?.attributes);
      for (const metric of scopeMetrics.metrics ?? []) {
        const base = {
          serviceName,
          metricName: metric.name ?? '',
          description: metric.description ?? '',
          unit: metric.unit ?? '',
          resourceSchemaUrl: resourceMetrics.schemaUrl ?? '',
          resourceAttributes,
          scopeSchemaUrl: scopeMetrics.schemaUrl ?? '',
          scopeName: scope?.name ?? '',
          scopeVersion: scope?.version ?? '',
          scopeAttributes,
          scopeDroppedAttrCount: scope?.droppedAttributesCount ?? 0,
        };
        const unsupported = (metric.exponentialHistogram?.dataPoints?.length ?? 0) + (metric.summary?.dataPoints?.length ?? 0);
        if (unsupported > 0) rejections.add('exponential histogram and summary metrics are not stored yet', unsupported);
        const gaugePoints = metric.gauge?.dataPoints ?? [];
        const sumPoints = metric.sum?.dataPoints ?? [];
        const histogramPoints = metric.histogram?.dataPoints ?? [];
        if (!metric.name) {
          const count = gaugePoints.length + sumPoints.length + histogramPoints.length;
          if (count > 0) rejections.add('metric without a name', count);
          continue;
        }
        const common = (point: PbNumberDataPoint | PbHistogramDataPoint) => ({
          ...base,
          attributes: stringAttributes(point.attributes),
          startTimeUnixNano: nanos(point.startTimeUnixNano),
          timeUnixNano: nanos(point.timeUnixNano),
          flags: point.flags ?? 0,
          exemplars: exemplars(point.exemplars),
        });
        for (const point of gaugePoints) points.push({ type: 'gauge', ...common(point), value: numberValue(point) });
        for (const point of sumPoints) {
          points.push({
            type: 'sum', ...common(point), value: numberValue(point),
            aggregationTemporality: metric.sum?.aggregationTemporality ?? 0, isMonotonic: metric.sum?.isMonotonic ?? false,
          });
        }
        for (const point of histogramPoints) {
          points.push({
            type: 'histogram', ...common(point),
            aggregationTemporality: metric.histogram?.aggregationTemporality ?? 0,
            count: int64ToString(point.count),
            sum: point.sum ?? 0,
            bucketCounts: (point.bucketCounts ?? []).map(int64ToString),
            explicitBounds: point.explicitBounds ?? [],
            min: point.min ?? 0,
            max: point.max ?? 0,
          });
        }
      }
    }
  }
  const messages = groupBy(points, (point) => otelMetricsKeyV1(point), (series, group): KeyedValue<OtelMetricsValueV1> => ({
    key: series, value: { v: 1, series, points: group },
  }));
  return { messages, accepted: points.length, rejected: rejections.count, errors: rejections.list() };
}
