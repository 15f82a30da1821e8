import { RedMinute } from '@vigil/detection';
import type { ClickHouseClient } from '@clickhouse/client';
import { RedSeriesReader } from '@vigil/telemetry';
import { RedMinuteSource } from './detection-runner';

/** The detector's RED minutes from the ClickHouse 1-minute rollup (states merged, so every processor's rows count). */
export class ClickHouseRedMinutes implements RedMinuteSource {
  private readonly reader: RedSeriesReader;

  constructor(private readonly client: ClickHouseClient, private readonly database: string) {
    this.reader = new RedSeriesReader(client, database);
  }

  /** Each (service, operation) with data since `since`, and its newest minute: which series have something new. */
  async keys(since: number) {
    const rows = await (await this.client.query({
      query: `SELECT ServiceName AS service, SpanName AS operation, toUnixTimestamp(max(Timestamp)) AS newest
              FROM \`${this.database}\`.otel_red_1m WHERE Timestamp >= toDateTime({since:UInt32})
              GROUP BY service, operation`,
      query_params: { since: Math.floor(since / 1000) },
      format: 'JSONEachRow',
    })).json<{ service: string; operation: string; newest: number | string }>();
    return rows.map((row) => ({ service: row.service, operation: row.operation, newest: Number(row.newest) * 1000 }));
  }

  async minutes(from: number, to: number, keys?: ReadonlyArray<{ service: string; operation: string }>): Promise<RedMinute[]> {
    const wanted = keys ? new Set(keys.map((key) => `${key.service}\u0000${key.operation}`)) : undefined;
    const points = await this.reader.series({ from: new Date(from), to: new Date(to), step: '1m' });
    return points
      .filter((point) => !wanted || wanted.has(`${point.service}\u0000${point.operation}`))
      .map((point) => ({ service: point.service, operation: point.operation, minute: Date.parse(point.minute), requests: point.requests, errors: point.errors, p95Ms: point.p95Ms, p99Ms: point.p99Ms }));
  }
}
