import type { LogRecordV1, MetricPointV1, SpanV1 } from '@vigil/contracts';

/** Unix nanoseconds (decimal string) as the "seconds.nanoseconds" text DateTime64(9) parses exactly. */
export function chTime(unixNanos: string): string {
  const digits = /^\d+$/.test(unixNanos) ? unixNanos.replace(/^0+(?=\d)/, '') : '0';
  const padded = digits.padStart(10, '0');
  return `${padded.slice(0, -9)}.${padded.slice(-9)}`;
}

/** Seconds since the epoch: the unambiguous form of a DateTime query parameter (no time zone involved). */
export const epochSeconds = (date: Date | number) => Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000);

export type Row = Record<string, unknown>;

export function spanRow(span: SpanV1): Row {
  const duration = BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano);
  return {
    Timestamp: chTime(span.startTimeUnixNano),
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId,
    TraceState: span.traceState,
    SpanName: span.name,
    SpanKind: span.kind,
    ServiceName: span.serviceName,
    ResourceAttributes: span.resourceAttributes,
    ScopeName: span.scopeName,
    ScopeVersion: span.scopeVersion,
    SpanAttributes: span.attributes,
    Duration: (duration > 0n ? duration : 0n).toString(),
    StatusCode: span.statusCode,
    StatusMessage: span.statusMessage,
    'Events.Timestamp': span.events.map((event) => chTime(event.timeUnixNano)),
    'Events.Name': span.events.map((event) => event.name),
    'Events.Attributes': span.events.map((event) => event.attributes),
    'Links.TraceId': span.links.map((link) => link.traceId),
    'Links.SpanId': span.links.map((link) => link.spanId),
    'Links.TraceState': span.links.map((link) => link.traceState),
    'Links.Attributes': span.links.map((link) => link.attributes),
    NumericAttributes: span.numericAttributes,
    CorrelationId: span.correlationId,
    SampleWeight: span.sampleWeight,
  };
}

export function logRow(log: LogRecordV1): Row {
  return {
    Timestamp: chTime(log.timeUnixNano),
    TraceId: log.traceId,
    SpanId: log.spanId,
    TraceFlags: log.traceFlags,
    SeverityText: log.severityText,
    SeverityNumber: log.severityNumber,
    ServiceName: log.serviceName,
    Body: log.body,
    ResourceSchemaUrl: log.resourceSchemaUrl,
    ResourceAttributes: log.resourceAttributes,
    ScopeSchemaUrl: log.scopeSchemaUrl,
    ScopeName: log.scopeName,
    ScopeVersion: log.scopeVersion,
    ScopeAttributes: log.scopeAttributes,
    LogAttributes: log.attributes,
    NumericAttributes: log.numericAttributes,
    CorrelationId: log.correlationId,
    SampleWeight: log.sampleWeight,
  };
}

export const METRIC_TABLES = { gauge: 'otel_metrics_gauge', sum: 'otel_metrics_sum', histogram: 'otel_metrics_histogram' } as const;

export function metricRow(point: MetricPointV1): Row {
  const row: Row = {
    ResourceAttributes: point.resourceAttributes,
    ResourceSchemaUrl: point.resourceSchemaUrl,
    ScopeName: point.scopeName,
    ScopeVersion: point.scopeVersion,
    ScopeAttributes: point.scopeAttributes,
    ScopeDroppedAttrCount: point.scopeDroppedAttrCount,
    ScopeSchemaUrl: point.scopeSchemaUrl,
    ServiceName: point.serviceName,
    MetricName: point.metricName,
    MetricDescription: point.description,
    MetricUnit: point.unit,
    Attributes: point.attributes,
    StartTimeUnix: chTime(point.startTimeUnixNano),
    TimeUnix: chTime(point.timeUnixNano),
    Flags: point.flags,
    'Exemplars.FilteredAttributes': point.exemplars.map((exemplar) => exemplar.filteredAttributes),
    'Exemplars.TimeUnix': point.exemplars.map((exemplar) => chTime(exemplar.timeUnixNano)),
    'Exemplars.Value': point.exemplars.map((exemplar) => exemplar.value),
    'Exemplars.SpanId': point.exemplars.map((exemplar) => exemplar.spanId),
    'Exemplars.TraceId': point.exemplars.map((exemplar) => exemplar.traceId),
  };
  if (point.type === 'gauge' || point.type === 'sum') row.Value = point.value ?? 0;
  if (point.type === 'sum') row.IsMonotonic = point.isMonotonic ?? false;
  if (point.type !== 'gauge') row.AggregationTemporality = point.aggregationTemporality ?? 0;
  if (point.type === 'histogram') {
    row.Count = point.count ?? '0';
    row.Sum = point.sum ?? 0;
    row.BucketCounts = point.bucketCounts ?? [];
    row.ExplicitBounds = point.explicitBounds ?? [];
    row.Min = point.min ?? 0;
    row.Max = point.max ?? 0;
  }
  return row;
}
