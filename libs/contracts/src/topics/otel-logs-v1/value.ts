import type { NumericAttributes, StringAttributes, UnixNanos } from '../common';

/** One log record, denormalised with its resource and scope. Ids are lowercase hex or empty. */
export interface LogRecordV1 {
  /** time_unix_nano, or observed_time_unix_nano when the former is unset. */
  timeUnixNano: UnixNanos;
  observedTimeUnixNano: UnixNanos;
  traceId: string;
  spanId: string;
  traceFlags: number;
  severityText: string;
  severityNumber: number;
  serviceName: string;
  body: string;
  resourceSchemaUrl: string;
  resourceAttributes: StringAttributes;
  scopeSchemaUrl: string;
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: StringAttributes;
  attributes: StringAttributes;
  numericAttributes: NumericAttributes;
  correlationId: string;
  sampleWeight: number;
}

/** Value of `otel.logs.v1`: the log records of one trace (or of no trace) from one export request. */
export interface OtelLogsValueV1 {
  v: 1;
  traceId: string;
  logs: LogRecordV1[];
}
