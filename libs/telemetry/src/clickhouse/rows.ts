import type { LogRecordV1, MetricPointV1, SpanV1 } from '@vigil/contracts';
import { nanosBetween } from '../otlp/unix-nanos';

/** Unix nanoseconds (decimal string) as the "seconds.nanoseconds" text DateTime64(9) parses exactly; '0' unless digits. */
export function chTime(unixNanos: string): string {
  const length = unixNanos.length;
  if (length === 0) return '0.000000000';
  let significant = -1;
  for (let i = 0; i < length; i++) {
    const code = unixNanos.charCodeAt(i);
    if (code < 48 || code > 57) return '0.000000000';
    if (significant < 0 && code !== 48) significant = i;
  }
  const digits = significant <= 0 ? (significant === 0 ? unixNanos : '0') : unixNanos.slice(significant);
  const padded = digits.length >= 10 ? digits : digits.padStart(10, '0');
  return `${padded.slice(0, -9)}.${padded.slice(-9)}`;
}

/** end − start in nanoseconds as a decimal string, 0 when the end is not after the start. */
export function durationText(startUnixNanos: string, endUnixNanos: string): string {
  const duration = nanosBetween(startUnixNanos, endUnixNanos);
  return duration > 0 ? duration.toString() : '0';
}

/** Shared by every row without events or links (serialised, never mutated). */
const NONE: readonly never[] = Object.freeze([]);

/** Seconds since the epoch: the unambiguous form of a DateTime query parameter (no time zone involved). */
export const epochSeconds = (date: Date | number) => Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000);

export type Row = Record<string, unknown>;

/** Rows as JSONCompactEachRow values: one array per row, in the order of `columns` (quoted for the column list). */
export interface CompactRows {
  columns: [string, ...string[]];
  values: unknown[][];
}

/** `name` as a quoted identifier (nested columns are named like `Events.Timestamp`). */
const quoted = (name: string) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

/**
 * The rows of one insert in JSONCompactEachRow form, which ClickHouse parses without matching a key per field (and
 * which is a third smaller on the wire). Only when every row has the same keys in the same order and no undefined
 * value, so that the two formats store the same thing (an absent key and an undefined value both mean the column's
 * DEFAULT in JSONEachRow); otherwise null, and the rows go as JSONEachRow.
 */
export function compactRows(rows: readonly Row[]): CompactRows | null {
  if (rows.length === 0) return null;
  const names = Object.keys(rows[0]);
  if (names.length === 0) return null;
  const values: unknown[][] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const value: unknown[] = new Array(names.length);
    let index = 0;
    for (const name in row) {
      if (name !== names[index]) return null; // inherited enumerable keys come last: also a mismatch
      const field = row[name];
      if (field === undefined) return null;
      value[index++] = field;
    }
    if (index !== names.length) return null;
    values[r] = value;
  }
  return { columns: names.map(quoted) as [string, ...string[]], values };
}

export function spanRow(span: SpanV1): Row {
  const { events, links } = span;
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
    Duration: durationText(span.startTimeUnixNano, span.endTimeUnixNano),
    StatusCode: span.statusCode,
    StatusMessage: span.statusMessage,
    'Events.Timestamp': events.length === 0 ? NONE : events.map((event) => chTime(event.timeUnixNano)),
    'Events.Name': events.length === 0 ? NONE : events.map((event) => event.name),
    'Events.Attributes': events.length === 0 ? NONE : events.map((event) => event.attributes),
    'Links.TraceId': links.length === 0 ? NONE : links.map((link) => link.traceId),
    'Links.SpanId': links.length === 0 ? NONE : links.map((link) => link.spanId),
    'Links.TraceState': links.length === 0 ? NONE : links.map((link) => link.traceState),
    'Links.Attributes': links.length === 0 ? NONE : links.map((link) => link.attributes),
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
