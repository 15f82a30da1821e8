import { Materiality, MetricSeries, OnsetOptions, ServiceAnomaly, scoreService } from '@vigil/investigation';
import { RED_TIERS, redQuantilesMerge } from '@vigil/telemetry';
import { ClickHouseReader, INTEGER_WEIGHT, instantParam, toNumber } from '../clickhouse-reader';
import { ERROR_SPAN } from '../bubbleup/span-attribute-counts.query';
import { InvestigationScope } from '../investigation-scope';

interface MinuteRow {
  readonly service: string;
  readonly minute: number | string;
  readonly errorRate: number | string;
  readonly p99Ms: number | string;
  readonly requests: number | string;
}

/** A window minute with fewer requests than this share of the service's median baseline minute is not scored. */
const MIN_MINUTE_SHARE = 0.25;

/**
 * How far a minute must move to be an onset, besides its z: the detector's own guards (libs/detection's RED monitor:
 * +2 points of error rate, latency 1.5× and +20 ms). A database answering in 1.5 ms has a p99 of a few ms, estimated
 * per minute from tail-sampled spans whose mix shifts when a caller's error traces are all kept: it can double by
 * chance, and dependency tracing then walked past the erroring service to "the slower database" below it.
 */
export const EVIDENCE_MATERIALITY: Readonly<Record<'error_rate' | 'latency_p99', Materiality>> = {
  error_rate: { minChange: 2 },
  latency_p99: { minChange: 20, minRatio: 1.5 },
};

/**
 * Per-service anomaly scores and onsets for dependency tracing: per-minute error rate (in percent) and p99 (ms) of
 * each service, the minutes before `seriesStart` as the baseline and the rest as the window, scored by `scoreService`
 * (robust z, onset = first upward crossing).
 *
 * The minutes come from the RED rollup (`otel_red_1m`, the operations' states merged per service): it counts every
 * request before tail sampling, as the detector does. A low-traffic callee's p99 estimated from its few sampled spans
 * a minute (1% of healthy traces, weighted ×100, beside every kept error trace at weight 1) jumps by chance; twice
 * such a jump named a healthy service the root in a scenario run. A service without RED rows in the range (spans
 * written by an OpenTelemetry Collector straight into otel_traces, not through Vigil's processor) is read from its
 * weighted sampled spans instead.
 */
export class ServiceAnomaliesQuery {
  constructor(
    private readonly reader: ClickHouseReader,
    private readonly onset: Partial<OnsetOptions> = {},
    private readonly materiality: Readonly<Record<'error_rate' | 'latency_p99', Materiality>> = EVIDENCE_MATERIALITY,
  ) {}

  async gather(scope: InvestigationScope, services: readonly string[]): Promise<ServiceAnomaly[]> {
    const wanted = [...new Set([scope.service, ...services])];
    const red = await this.redMinutes(scope, wanted);
    const fromRed = new Set(red.map((row) => row.service));
    const withoutRed = wanted.filter((service) => !fromRed.has(service));
    const sampled = withoutRed.length > 0 ? await this.sampledSpanMinutes(scope, withoutRed) : [];
    return [...this.scored(scope, red), ...this.scored(scope, sampled)].sort((a, b) => a.service.localeCompare(b.service));
  }

  private redMinutes(scope: InvestigationScope, services: readonly string[]): Promise<MinuteRow[]> {
    return this.reader.rows<MinuteRow>(
      `SELECT ServiceName AS service, toUnixTimestamp(Timestamp) * 1000 AS minute,
              countIfMerge(Errors) / countMerge(Requests) AS errorRate,
              ${redQuantilesMerge([0.99])}(DurationQuantiles)[1] / 1e6 AS p99Ms,
              countMerge(Requests) AS requests
       FROM ${this.reader.table(RED_TIERS['1m'].table)}
       WHERE ServiceName IN {services:Array(String)}
         AND Timestamp >= toDateTime(intDiv({from:Int64}, 1000)) AND Timestamp < toDateTime(intDiv({to:Int64} + 999, 1000))
       GROUP BY service, minute
       ORDER BY service, minute`,
      { services, from: scope.baselineStart, to: scope.end },
    );
  }

  private sampledSpanMinutes(scope: InvestigationScope, services: readonly string[]): Promise<MinuteRow[]> {
    return this.reader.rows<MinuteRow>(
      `SELECT ServiceName AS service, toUnixTimestamp(toStartOfMinute(Timestamp)) * 1000 AS minute,
              sumIf(SampleWeight, ${ERROR_SPAN}) / sum(SampleWeight) AS errorRate,
              quantileExactWeighted(0.99)(Duration, ${INTEGER_WEIGHT}) / 1e6 AS p99Ms, sum(SampleWeight) AS requests
       FROM ${this.reader.table('otel_traces')}
       WHERE ServiceName IN {services:Array(String)} AND Timestamp >= ${instantParam('from')} AND Timestamp < ${instantParam('to')}
       GROUP BY service, minute
       ORDER BY service, minute`,
      { services, from: scope.baselineStart, to: scope.end },
    );
  }

  private scored(scope: InvestigationScope, rows: readonly MinuteRow[]): ServiceAnomaly[] {
    const byService = new Map<string, MinuteRow[]>();
    for (const row of rows) byService.set(row.service, [...(byService.get(row.service) ?? []), row]);
    return [...byService].map(([service, minutes]) => {
      const baselineRows = minutes.filter((row) => toNumber(row.minute) < scope.seriesStart);
      // A minute with a handful of requests (the partial minute being written, a lull) says little: one failed request
      // of two is a 50% error rate. Such window minutes are left out.
      const counts = baselineRows.map((row) => toNumber(row.requests)).sort((a, b) => a - b);
      const typical = counts.length > 0 ? counts[Math.floor(counts.length / 2)] : 0;
      const scoredMinute = (row: MinuteRow) => toNumber(row.requests) >= MIN_MINUTE_SHARE * typical;
      const series = (name: 'error_rate' | 'latency_p99', value: (row: MinuteRow) => number): MetricSeries => ({
        name,
        direction: 'up',
        materiality: this.materiality[name],
        baseline: baselineRows.map(value),
        window: minutes.filter((row) => toNumber(row.minute) >= scope.seriesStart).map((row) => ({ at: toNumber(row.minute), value: scoredMinute(row) ? value(row) : null })),
      });
      // The error rate in percent: with the evidence's absolute scale floor of 1 (DEFAULT_EVIDENCE_ONSET), a healthy
      // service's stray error (median 0, MAD 0) is no onset, while a fault's few percent are.
      const score = scoreService({ service, metrics: [series('error_rate', (row) => 100 * toNumber(row.errorRate)), series('latency_p99', (row) => toNumber(row.p99Ms))] }, this.onset);
      return { service, score: score.score, ...(score.onset !== undefined ? { onset: score.onset } : {}), ...(score.signal ? { signal: score.signal } : {}) };
    });
  }
}
