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
  /**
   * Cluster name ('' or absent: single server). With a cluster every DDL runs ON CLUSTER, data lives in
   * Replicated*MergeTree tables named `<table>_local`, and the usual names are Distributed tables over them, so
   * writers and readers use the same names in both modes.
   */
  cluster?: string;
  /** Warm tier (10-minute RED rollup) retention. Default 90 days. */
  warmTtlDays?: number;
  /** Cold tier (hourly RED rollup) retention. Default 730 days (2 years). */
  coldTtlDays?: number;
  /**
   * TTL of otel_traces_undecided, which migration 6 creates and 7 drops (undecided spans are held in memory since).
   * Default 2 h.
   */
  undecidedTtlHours?: number;
  /**
   * How long written bus message ids are remembered for replay dedup. A consumer replays what it had not committed
   * (seconds to minutes of traffic), so hours suffice; the table holds one row per message and table. Default 6 h.
   */
  replayWindowHours?: number;
}

export interface Migration {
  version: number;
  name: string;
  statements(options: Required<SchemaOptions>): string[];
}

export function resolveSchemaOptions(options: SchemaOptions = {}): Required<SchemaOptions> {
  return {
    database: options.database ?? 'default',
    ttlDays: options.ttlDays ?? 7,
    engine: options.engine ?? 'MergeTree',
    dedupWindow: options.dedupWindow ?? 1_000,
    cluster: options.cluster ?? '',
    warmTtlDays: options.warmTtlDays ?? 90,
    coldTtlDays: options.coldTtlDays ?? 730,
    undecidedTtlHours: options.undecidedTtlHours ?? 2,
    replayWindowHours: options.replayWindowHours ?? 6,
  };
}

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

function settings(options: Required<SchemaOptions>): string {
  return `SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = ${options.dedupWindow}`;
}

/** Engines a table spec may name; `MergeTree` stands for SchemaOptions.engine. */
type EngineKind = 'MergeTree' | 'AggregatingMergeTree' | 'ReplacingMergeTree' | 'Null';

export interface TableSpec {
  name: string;
  /** Column and index definitions, as inside CREATE TABLE (…). */
  columns: string;
  engine: EngineKind;
  /** Engine arguments after the replication path, e.g. the ReplacingMergeTree version column. */
  engineArgs?: string;
  /** PARTITION BY / ORDER BY / TTL / SETTINGS. */
  layout: string;
  /** Distributed sharding key in cluster mode. Default rand(). */
  shardingKey?: string;
}

/** The table rows physically live in: `<name>_local` in cluster mode, `<name>` otherwise. */
export function storageTable(name: string, options: Required<SchemaOptions>): string {
  return `${q(options.database)}.${q(options.cluster ? `${name}_local` : name)}`;
}

function onCluster(options: Required<SchemaOptions>): string {
  return options.cluster ? ` ON CLUSTER ${q(options.cluster)}` : '';
}

function engineClause(spec: TableSpec, options: Required<SchemaOptions>): string {
  const args = spec.engineArgs ? `(${spec.engineArgs})` : '';
  const base = spec.engine === 'MergeTree' ? options.engine : spec.engine;
  if (!options.cluster || spec.engine === 'Null') return `${base}${args}`;
  const replicated = base.startsWith('Replicated') ? base : `Replicated${base}`;
  const path = `'/clickhouse/tables/{shard}/${options.database}/${spec.name}_local', '{replica}'`;
  return `${replicated}(${path}${spec.engineArgs ? `, ${spec.engineArgs}` : ''})`;
}

/** CREATE TABLE statements: one table, or in cluster mode the replicated local table plus a Distributed table over it. */
export function createTable(spec: TableSpec, options: Required<SchemaOptions>): string[] {
  const statements = [`CREATE TABLE IF NOT EXISTS ${storageTable(spec.name, options)}${onCluster(options)} (${spec.columns}
) ENGINE = ${engineClause(spec, options)}${spec.layout ? `\n${spec.layout}` : ''}`];
  if (options.cluster) {
    statements.push(`CREATE TABLE IF NOT EXISTS ${q(options.database)}.${q(spec.name)}${onCluster(options)} AS ${storageTable(spec.name, options)}
ENGINE = Distributed(${q(options.cluster)}, ${q(options.database)}, ${q(`${spec.name}_local`)}, ${spec.shardingKey ?? 'rand()'})`);
  }
  return statements;
}

/**
 * A materialized view between storage tables (local ones in cluster mode: each shard aggregates what it stores).
 * `select` gets the storage name of a table.
 */
export function createMaterializedView(name: string, target: string, select: (table: (name: string) => string) => string, options: Required<SchemaOptions>): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${q(options.database)}.${q(name)}${onCluster(options)} TO ${storageTable(target, options)} AS
${select((table) => storageTable(table, options))}`;
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

const TRACE_COLUMNS = `
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
    ) CODEC(ZSTD(1)),${VIGIL_COLUMNS}`;

function metricTable(name: string, columns: string, options: Required<SchemaOptions>): string[] {
  return createTable({
    name,
    columns: `${METRIC_COMMON_COLUMNS}${columns}${EXEMPLARS}
    SampleWeight Float64 DEFAULT 1 CODEC(ZSTD(1)),${METRIC_INDEXES}`,
    engine: 'MergeTree',
    layout: `PARTITION BY toDate(TimeUnix)
ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))
TTL toDateTime(TimeUnix) + toIntervalDay(${options.ttlDays})
${settings(options)}`,
  }, options);
}

/** RED tiers: the same mergeable state per (service, operation) per bucket, each tier with its own retention. */
export const RED_TIERS = {
  '1m': { table: 'otel_red_1m', bucket: 'toStartOfMinute(StartTime)', partition: 'toDate(Timestamp)' },
  '10m': { table: 'otel_red_10m', bucket: 'toStartOfTenMinutes(StartTime)', partition: 'toMonday(Timestamp)' },
  '1h': { table: 'otel_red_1h', bucket: 'toStartOfHour(StartTime)', partition: 'toYYYYMM(Timestamp)' },
} as const;
export type RedStep = keyof typeof RED_TIERS;
export const RED_QUANTILES = [0.5, 0.95, 0.99] as const;
/**
 * DDSketch with 1% relative accuracy: merging is adding bucket counts, so any split of the spans over inserts and
 * processors gives the same quantiles (t-digest's merge depends on the order).
 */
export const RED_QUANTILES_FUNCTION = `quantilesDD(0.01, ${RED_QUANTILES.join(', ')})`;
/**
 * A -Merge of the stored states at other levels: quantile levels are used only when finalizing, so ClickHouse lets a
 * merge ask for any (ClickHouse PR #26847; checked on chDB). The accuracy, which shapes the state, stays 0.01.
 */
export const redQuantilesMerge = (levels: readonly number[]): string => `quantilesDDMerge(0.01, ${levels.join(', ')})`;

function redTier(step: RedStep, ttlDays: number, options: Required<SchemaOptions>): string[] {
  const tier = RED_TIERS[step];
  return [
    ...createTable({
      name: tier.table,
      columns: `
    Timestamp DateTime CODEC(Delta, ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    Requests AggregateFunction(count) CODEC(ZSTD(1)),
    Errors AggregateFunction(countIf, UInt8) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(${RED_QUANTILES_FUNCTION}, UInt64) CODEC(ZSTD(1)),
    DurationSum AggregateFunction(sum, UInt64) CODEC(ZSTD(1)),
    DurationMin AggregateFunction(min, UInt64) CODEC(ZSTD(1)),
    DurationMax AggregateFunction(max, UInt64) CODEC(ZSTD(1))`,
      engine: 'AggregatingMergeTree',
      layout: `PARTITION BY ${tier.partition}
ORDER BY (ServiceName, SpanName, Timestamp)
TTL Timestamp + toIntervalDay(${ttlDays})
${settings(options)}`,
      shardingKey: 'cityHash64(ServiceName, SpanName)',
    }, options),
    // Every tier reads the raw input (not the tier below): states stay exact merges whatever the insert split.
    createMaterializedView(`${tier.table}_mv`, tier.table, (table) => `SELECT ${tier.bucket} AS Timestamp, ServiceName, SpanName,
       countState() AS Requests, countIfState(IsError) AS Errors,
       ${RED_QUANTILES_FUNCTION.replace('(', 'State(')}(Duration) AS DurationQuantiles,
       sumState(Duration) AS DurationSum, minState(Duration) AS DurationMin, maxState(Duration) AS DurationMax
FROM ${table('otel_red_input')}
GROUP BY Timestamp, ServiceName, SpanName`, options),
  ];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'otel_traces with trace id lookup',
    statements: (options) => [
      ...createTable({
        name: 'otel_traces',
        columns: `${TRACE_COLUMNS}
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1`,
        engine: 'MergeTree',
        layout: `PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
TTL toDateTime(Timestamp) + toIntervalDay(${options.ttlDays})
${settings(options)}`,
        shardingKey: 'cityHash64(TraceId)',
      }, options),
      // Trace id → time range, so "show trace X" reads only the day-partitions that hold it.
      ...createTable({
        name: 'otel_traces_trace_id_ts',
        columns: `
    TraceId String CODEC(ZSTD(1)),
    Start DateTime CODEC(Delta, ZSTD(1)),
    End DateTime CODEC(Delta, ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1`,
        engine: 'MergeTree',
        layout: `PARTITION BY toDate(Start)
ORDER BY (TraceId, Start)
TTL Start + toIntervalDay(${options.ttlDays})
${settings(options)}`,
        shardingKey: 'cityHash64(TraceId)',
      }, options),
      createMaterializedView('otel_traces_trace_id_ts_mv', 'otel_traces_trace_id_ts', (table) => `SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
FROM ${table('otel_traces')}
WHERE TraceId != ''
GROUP BY TraceId`, options),
    ],
  },
  {
    version: 2,
    name: 'otel_logs',
    statements: (options) => createTable({
      name: 'otel_logs',
      columns: `
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
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8`,
      engine: 'MergeTree',
      layout: `PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
TTL TimestampTime + toIntervalDay(${options.ttlDays})
${settings(options)}`,
      shardingKey: 'cityHash64(TraceId)',
    }, options),
  },
  {
    version: 3,
    name: 'otel_metrics_gauge, otel_metrics_sum, otel_metrics_histogram',
    statements: (options) => [
      ...metricTable('otel_metrics_gauge', `
    Value Float64 CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),`, options),
      ...metricTable('otel_metrics_sum', `
    Value Float64 CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),
    AggregationTemporality Int32 CODEC(ZSTD(1)),
    IsMonotonic Boolean CODEC(Delta, ZSTD(1)),`, options),
      ...metricTable('otel_metrics_histogram', `
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
    statements: (options) => createTable({
      name: 'changes',
      columns: `
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
    ReceivedAt DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1))`,
      engine: 'ReplacingMergeTree',
      engineArgs: 'ReceivedAt',
      layout: `PARTITION BY toYYYYMM(Timestamp)
ORDER BY (ServiceName, Timestamp, ChangeId)
TTL toDateTime(Timestamp) + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
      shardingKey: 'cityHash64(ServiceName)',
    }, options),
  },
  {
    version: 5,
    name: 'RED per (service, operation): otel_red_input (Null) → otel_red_1m / otel_red_10m / otel_red_1h',
    // The processor inserts one row per span BEFORE sampling; nothing is stored in the input, only the MVs' states.
    statements: (options) => [
      ...createTable({
        name: 'otel_red_input',
        columns: `
    StartTime DateTime,
    ServiceName LowCardinality(String),
    SpanName LowCardinality(String),
    Duration UInt64,
    IsError UInt8`,
        engine: 'Null',
        layout: '',
      }, options),
      ...redTier('1m', options.ttlDays, options),
      ...redTier('10m', options.warmTtlDays, options),
      ...redTier('1h', options.coldTtlDays, options),
    ],
  },
  {
    version: 6,
    name: 'otel_traces_undecided (spans awaiting a tail-sampling decision) and vigil_written_messages (replay dedup)',
    statements: (options) => [
      // Same columns and order as otel_traces (promotion is INSERT … SELECT * EXCEPT UndecidedAt), looked up by trace.
      ...createTable({
        name: 'otel_traces_undecided',
        columns: `${TRACE_COLUMNS}
    UndecidedAt DateTime DEFAULT now() CODEC(Delta, ZSTD(1))`,
        engine: 'MergeTree',
        layout: `PARTITION BY toStartOfHour(UndecidedAt)
ORDER BY (TraceId, Timestamp)
TTL UndecidedAt + toIntervalHour(${options.undecidedTtlHours})
${settings(options)}`,
        shardingKey: 'cityHash64(TraceId)',
      }, options),
      // Bus message ids whose rows a table holds: a replay split into different batches skips them.
      ...createTable({
        name: 'vigil_written_messages',
        columns: `
    TableName LowCardinality(String),
    MessageId String CODEC(ZSTD(1)),
    WrittenAt DateTime DEFAULT now() CODEC(Delta, ZSTD(1))`,
        engine: 'ReplacingMergeTree',
        layout: `PARTITION BY toStartOfHour(WrittenAt)
ORDER BY (TableName, MessageId)
TTL WrittenAt + toIntervalHour(${options.replayWindowHours})
${settings(options)}`,
        shardingKey: 'cityHash64(MessageId)',
      }, options),
    ],
  },
  {
    version: 7,
    name: 'drop otel_traces_undecided: spans awaiting a tail-sampling decision are held in memory, their bus batches unacknowledged',
    // Storing each undecided span cost as much as storing all traffic unsampled (bench/ingest/README.md).
    statements: (options) => dropTable('otel_traces_undecided', options),
  },
];

/** The table under its usual name, and its `_local` storage table in cluster mode. */
function dropTable(name: string, options: Required<SchemaOptions>): string[] {
  const statements = [`DROP TABLE IF EXISTS ${q(options.database)}.${q(name)}${onCluster(options)} SYNC`];
  if (options.cluster) statements.push(`DROP TABLE IF EXISTS ${storageTable(name, options)}${onCluster(options)} SYNC`);
  return statements;
}
