import { BubbleUpCounts, OTHER_VALUE } from '@vigil/investigation';
import { ClickHouseReader, INTEGER_WEIGHT, instantParam, toNumber } from '../clickhouse-reader';
import { InvestigationScope } from '../investigation-scope';

export interface SpanAttributeCountsOptions {
  /** Values kept per attribute (most anomalous first); the rest are folded into `(other)` in the SQL. Default 50. */
  readonly maxValuesPerAttribute: number;
  /** Latency signals: a span is slow at or above max(this, the baseline p95). Default 0 (the p95 alone). */
  readonly slowThresholdMs: number;
  /** Attributes never counted: ids that are unique per span. */
  readonly ignoreAttributes: readonly string[];
}

export const DEFAULT_SPAN_ATTRIBUTE_COUNTS_OPTIONS: SpanAttributeCountsOptions = {
  maxValuesPerAttribute: 50,
  slowThresholdMs: 0,
  ignoreAttributes: ['trace_id', 'span_id', 'request_id', 'http.request_id', 'service.instance.id'],
};

/**
 * BubbleUp's input: weighted counts of every attribute=value (span and resource attributes, the span's winning on a
 * clash) among the anomalous spans of the service — its errors for an error signal, its slow spans for a latency
 * signal, all of them otherwise, from the onset — and among its spans in the hour before.
 *
 * Both sides are the same service's spans (of the anomaly's operation when known), and the baseline keeps only spans
 * of the shapes (SpanName, SpanKind) found among the anomalous ones: a baseline that mixed in other operations or the
 * client spans of calls (which carry fewer attributes) would make the service's own constant attributes, its version
 * among them, look over-represented among its errors.
 */
export class SpanAttributeCountsQuery {
  private readonly options: SpanAttributeCountsOptions;

  constructor(private readonly reader: ClickHouseReader, options: Partial<SpanAttributeCountsOptions> = {}) {
    this.options = { ...DEFAULT_SPAN_ATTRIBUTE_COUNTS_OPTIONS, ...options };
  }

  async gather(scope: InvestigationScope): Promise<BubbleUpCounts> {
    const params = {
      service: scope.service,
      onset: scope.onset,
      end: scope.end,
      baselineStart: scope.baselineStart,
      operation: scope.operation ?? '',
      slowNanos: scope.population === 'slow' ? await this.slowThresholdNanos(scope) : 0,
      cap: this.options.maxValuesPerAttribute,
      other: OTHER_VALUE,
      ignored: this.options.ignoreAttributes,
    };
    const [totals] = await this.reader.rows<{ anomalous: number | string; baseline: number | string }>(
      `SELECT sumIf(SampleWeight, side = 'anomalous') AS anomalous, sumIf(SampleWeight, side = 'baseline') AS baseline
       FROM (${this.sidesSql(scope, 'SampleWeight')})`,
      params,
    );
    const rows = await this.reader.rows<{ attribute: string; value: string; anomalous: number | string; baseline: number | string }>(
      `SELECT attribute, if(rank <= {cap:UInt32}, value, {other:String}) AS value, sum(anomalous) AS anomalous, sum(baseline) AS baseline
       FROM (
         SELECT attribute, value, anomalous, baseline,
                row_number() OVER (PARTITION BY attribute ORDER BY anomalous DESC, baseline DESC, value) AS rank
         FROM (
           SELECT pair.1 AS attribute, pair.2 AS value, sumIf(SampleWeight, side = 'anomalous') AS anomalous, sumIf(SampleWeight, side = 'baseline') AS baseline
           FROM (${this.sidesSql(scope, 'SampleWeight, arrayJoin(arrayZip(mapKeys(attributes), mapValues(attributes))) AS pair')})
           WHERE NOT has({ignored:Array(String)}, pair.1)
           GROUP BY attribute, value
         )
       )
       GROUP BY attribute, value
       ORDER BY attribute, value`,
      params,
    );
    return {
      anomalousTotal: toNumber(totals?.anomalous),
      baselineTotal: toNumber(totals?.baseline),
      rows: rows.map((row) => ({ attribute: row.attribute, value: row.value, anomalousCount: toNumber(row.anomalous), baselineCount: toNumber(row.baseline) })),
    };
  }

  /** Each span of the service once, labelled `anomalous` or `baseline` (spans in the window outside the population are left out). */
  private sidesSql(scope: InvestigationScope, columns: string): string {
    const inWindow = `Timestamp >= ${instantParam('onset')} AND Timestamp < ${instantParam('end')}`;
    const population = scope.population === 'errors' ? ` AND ${ERROR_SPAN}` : scope.population === 'slow' ? ' AND Duration >= {slowNanos:UInt64}' : '';
    const spans = `ServiceName = {service:String}${operationFilter(scope)}`;
    return `SELECT multiIf(${inWindow}${population}, 'anomalous', Timestamp < ${instantParam('onset')}, 'baseline', '') AS side,
                   mapUpdate(ResourceAttributes, SpanAttributes) AS attributes, ${columns}
            FROM ${this.reader.table('otel_traces')}
            WHERE ${spans} AND Timestamp >= ${instantParam('baselineStart')} AND Timestamp < ${instantParam('end')} AND side != ''
              AND (side = 'anomalous' OR (SpanName, SpanKind) IN (
                SELECT DISTINCT SpanName, SpanKind FROM ${this.reader.table('otel_traces')} WHERE ${spans} AND ${inWindow}${population}))`;
  }

  private async slowThresholdNanos(scope: InvestigationScope): Promise<number> {
    const [row] = await this.reader.rows<{ p95: number | string }>(
      `SELECT quantileExactWeighted(0.95)(Duration, ${INTEGER_WEIGHT}) AS p95 FROM ${this.reader.table('otel_traces')}
       WHERE ServiceName = {service:String}${operationFilter(scope)} AND Timestamp >= ${instantParam('baselineStart')} AND Timestamp < ${instantParam('onset')}`,
      { service: scope.service, operation: scope.operation ?? '', baselineStart: scope.baselineStart, onset: scope.onset },
    );
    return Math.max(toNumber(row?.p95), this.options.slowThresholdMs * 1e6);
  }
}

/** The anomaly's operation, when known: the detector's series are per (ServiceName, SpanName). */
const operationFilter = (scope: InvestigationScope): string => (scope.operation ? ' AND SpanName = {operation:String}' : '');

/** OTel status Error, as the Collector exporter (`Error`) or the raw enum (`STATUS_CODE_ERROR`) writes it. */
export const ERROR_SPAN = `StatusCode IN ('Error', 'STATUS_CODE_ERROR')`;
