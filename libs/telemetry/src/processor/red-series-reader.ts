import type { ClickHouseClient } from '@clickhouse/client';
import { RED_TIERS, redQuantilesMerge, type RedStep } from '../clickhouse/migrations';
import { epochSeconds } from '../clickhouse/rows';

export interface RedSeriesQuery {
  service?: string;
  operation?: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  step: RedStep;
}

export interface RedPoint {
  service: string;
  operation: string;
  /** Start of the bucket (minute, 10 minutes or hour), ISO 8601 UTC. */
  minute: string;
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Percent → ms for every level read (50, 60, … 99): how many requests are slow (the detector's preview). */
  percentilesMs: Record<number, number>;
}

/** Percentiles read from each bucket's merged sketch. */
export const RED_READ_PERCENTS = [50, 60, 70, 75, 80, 85, 90, 95, 99] as const;

export interface RedKey {
  service: string;
  operation: string;
}

interface RedRow {
  service: string;
  operation: string;
  bucket: string;
  requests: string;
  errors: string;
  quantiles: number[];
}

/**
 * RED series per (service, operation) from the rollup tiers, merging the aggregate states (-Merge), so rows from any
 * number of processors and inserts combine into exact counts and the same quantiles. Read by the anomaly detector and
 * the UI chart.
 */
export class RedSeriesReader {
  constructor(private readonly client: ClickHouseClient, private readonly database = 'default') {}

  async series(query: RedSeriesQuery): Promise<RedPoint[]> {
    const filters = ['Timestamp >= toDateTime({from:UInt32})', 'Timestamp < toDateTime({to:UInt32})'];
    if (query.service !== undefined) filters.push('ServiceName = {service:String}');
    if (query.operation !== undefined) filters.push('SpanName = {operation:String}');
    const rows = await (await this.client.query({
      query: `SELECT ServiceName AS service, SpanName AS operation, toUnixTimestamp(Timestamp) AS bucket,
                     toString(countMerge(Requests)) AS requests, toString(countIfMerge(Errors)) AS errors,
                     ${redQuantilesMerge(RED_READ_PERCENTS.map((percent) => percent / 100))}(DurationQuantiles) AS quantiles
              FROM \`${this.database}\`.${RED_TIERS[query.step].table}
              WHERE ${filters.join(' AND ')}
              GROUP BY service, operation, bucket
              ORDER BY bucket, service, operation`,
      query_params: { from: epochSeconds(query.from), to: epochSeconds(query.to), service: query.service, operation: query.operation },
      format: 'JSONEachRow',
    })).json<RedRow>();
    return rows.map((row) => {
      const requests = Number(row.requests);
      const errors = Number(row.errors);
      const percentilesMs: Record<number, number> = Object.fromEntries(RED_READ_PERCENTS.map((percent, i) => [percent, Number(row.quantiles[i]) / 1e6]));
      return {
        service: row.service,
        operation: row.operation,
        minute: new Date(Number(row.bucket) * 1000).toISOString(),
        requests,
        errors,
        errorRate: requests === 0 ? 0 : errors / requests,
        p50Ms: percentilesMs[50],
        p95Ms: percentilesMs[95],
        p99Ms: percentilesMs[99],
        percentilesMs,
      };
    });
  }

  /** The (service, operation) pairs with traffic since `since`. */
  async keys(options: { since: Date }): Promise<RedKey[]> {
    return (await this.newestMinutes(options)).map(({ service, operation }) => ({ service, operation }));
  }

  /** Each (service, operation) with traffic since `since`, and the start of its newest minute (epoch ms). */
  async newestMinutes(options: { since: Date }): Promise<Array<RedKey & { newest: number }>> {
    const rows = await (await this.client.query({
      query: `SELECT ServiceName AS service, SpanName AS operation, toUnixTimestamp(max(Timestamp)) AS newest
              FROM \`${this.database}\`.otel_red_1m WHERE Timestamp >= toDateTime({since:UInt32})
              GROUP BY service, operation ORDER BY service, operation`,
      query_params: { since: epochSeconds(options.since) },
      format: 'JSONEachRow',
    })).json<RedKey & { newest: number | string }>();
    return rows.map((row) => ({ service: row.service, operation: row.operation, newest: Number(row.newest) * 1000 }));
  }
}
