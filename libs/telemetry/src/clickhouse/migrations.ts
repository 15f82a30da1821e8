/**
 * ClickHouse schema for telemetry, as versioned migrations.
 *
 * Column names and types follow the OpenTelemetry Collector ClickHouse exporter so Grafana's ClickHouse data source
 * and existing collectors work against these tables: open-telemetry/opentelemetry-collector-contrib,
 * exporter/clickhouseexporter/internal/sql_templates/{traces_table, traces_id_ts_lookup_table, traces_id_ts_lookup_mv,
 * logs_table, metrics_gauge_table, metrics_sum_table, metrics_histogram_table}.sql. Same partitioning (one partition per
 * day), bloom filters on TraceId and attribute maps, TTL with ttl_only_drop_parts.
 *
 * Vigil adds (extra columns do not disturb the exporter's inserts, which name their columns):
 * - NumericAttributes Map(LowCardinality(String), Float64): int/double span or log attributes, to filter and aggregate
 *   without parsing strings;
 * - CorrelationId String: log ↔ trace ↔ incident correlation;
 * - SampleWeight Float64 DEFAULT 1: how many items a sampled row stands for, so counts can be re-weighted;
 * - T64 before ZSTD on integer columns (Duration, SeverityNumber, Count), Delta on timestamps.
 * - non_replicated_deduplication_window: a plain MergeTree keeps no insert-dedup history by default, so a replayed
 *   batch with the same insert_deduplication_token would be stored twice (Replicated tables have it already).
 */

export interface SchemaOptions {
  /** Database holding the tables. Default 'default'. */
  database?: string;
  /** Raw rows (hot tier) are dropped after this many days, whole day-parts at a time. Default 7. */
  ttlDays?: number;
  /** Table engine. Default MergeTree (embedded chDB, single server). */
  engine?: string;
  /** Inserts remembered for deduplication per table. Default 1 000. */
  dedupWindow?: number;
}

export interface Migration {
  version: number;
  name: string;
  statements(options: Required<SchemaOptions>): string[];
}

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

function settings(options: Required<SchemaOptions>): string {
  return `SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = ${options.dedupWindow}`;
}

const VIGIL_COLUMNS = `
    NumericAttributes Map(LowCardinality(String), Float64) CODEC(ZSTD(1)),
    CorrelationId String CODEC(ZSTD(1)),
    SampleWeight Float64 DEFAULT 1 CODEC(ZSTD(1)),`;

const METRIC_COMMON_COLUMNS = `
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ResourceSchemaUrl String CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),
    ScopeSchemaUrl String CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    MetricName String CODEC(ZSTD(1)),
    MetricDescription String CODEC(ZSTD(1)),
    MetricUnit String CODEC(ZSTD(1)),
    Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
    TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),`;

const EXEMPLARS = `
    Exemplars Nested (
        FilteredAttributes Map(LowCardinality(String), String),
        TimeUnix DateTime64(9),
        Value Float64,
        SpanId String,
        TraceId String
    ) CODEC(ZSTD(1)),`;

const METRIC_INDEXES = `
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1`;

function metricTable(name: string, columns: string, options: Required<SchemaOptions>): string {
  return `CREATE TABLE IF NOT EXISTS ${q(options.database)}.${name} (${METRIC_COMMON_COLUMNS}${columns}${EXEMPLARS}
    SampleWeight Float64 DEFAULT 1 CODEC(ZSTD(1)),${METRIC_INDEXES}
) ENGINE = ${options.engine}
PARTITION BY toDate(TimeUnix)
ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))
TTL toDateTime(TimeUnix) + toIntervalDay(${options.ttlDays})
${settings(options)}`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'otel_traces with trace id lookup',
    statements: (options) => {
      const db = q(options.database);
      return [
        `CREATE TABLE IF NOT EXISTS ${db}.otel_traces (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),${VIGIL_COLUMNS}
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = ${options.engine}
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
TTL toDateTime(Timestamp) + toIntervalDay(${options.ttlDays})
${settings(options)}`,
        // Trace id → time range, so "show trace X" reads only the day-partitions that hold it.
        `CREATE TABLE IF NOT EXISTS ${db}.otel_traces_trace_id_ts (
    TraceId String CODEC(ZSTD(1)),
    Start DateTime CODEC(Delta, ZSTD(1)),
    End DateTime CODEC(Delta, ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = ${options.engine}
PARTITION BY toDate(Start)
ORDER BY (TraceId, Start)
TTL Start + toIntervalDay(${options.ttlDays})
${settings(options)}`,
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.otel_traces_trace_id_ts_mv TO ${db}.otel_traces_trace_id_ts AS
SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
FROM ${db}.otel_traces
WHERE TraceId != ''
GROUP BY TraceId`,
      ];
    },
  },
  {
    version: 2,
    name: 'otel_logs',
    statements: (options) => [
      `CREATE TABLE IF NOT EXISTS ${q(options.database)}.otel_logs (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8 CODEC(T64, ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),${VIGIL_COLUMNS}
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = ${options.engine}
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
TTL TimestampTime + toIntervalDay(${options.ttlDays})
${settings(options)}`,
    ],
  },
  {
    version: 3,
    name: 'otel_metrics_gauge, otel_metrics_sum, otel_metrics_histogram',
    statements: (options) => [
      metricTable('otel_metrics_gauge', `
    Value Float64 CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),`, options),
      metricTable('otel_metrics_sum', `
    Value Float64 CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),
    AggregationTemporality Int32 CODEC(ZSTD(1)),
    IsMonotonic Boolean CODEC(Delta, ZSTD(1)),`, options),
      metricTable('otel_metrics_histogram', `
    Count UInt64 CODEC(T64, ZSTD(1)),
    Sum Float64 CODEC(ZSTD(1)),
    BucketCounts Array(UInt64) CODEC(ZSTD(1)),
    ExplicitBounds Array(Float64) CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),
    Min Float64 CODEC(ZSTD(1)),
    Max Float64 CODEC(ZSTD(1)),
    AggregationTemporality Int32 CODEC(ZSTD(1)),`, options),
    ],
  },
  {
    version: 4,
    name: 'changes (deployments and other change events, from webhooks)',
    // One row per change event; ChangeId makes a redelivered webhook one row after merges (ReplacingMergeTree) and
    // readers use FINAL or GROUP BY ChangeId. Kept like the warm tier: investigations look back hours, audits months.
    statements: (options) => [
      `CREATE TABLE IF NOT EXISTS ${q(options.database)}.changes (
    Timestamp DateTime64(3) CODEC(Delta, ZSTD(1)),
    ChangeId String CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Environment LowCardinality(String) CODEC(ZSTD(1)),
    Kind LowCardinality(String) CODEC(ZSTD(1)),
    Revision String CODEC(ZSTD(1)),
    PreviousRevision String CODEC(ZSTD(1)),
    Source LowCardinality(String) CODEC(ZSTD(1)),
    Description String CODEC(ZSTD(1)),
    Url String CODEC(ZSTD(1)),
    Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ReceivedAt DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1))
) ENGINE = ReplacingMergeTree(ReceivedAt)
PARTITION BY toYYYYMM(Timestamp)
ORDER BY (ServiceName, Timestamp, ChangeId)
TTL toDateTime(Timestamp) + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
    ],
  },
];
