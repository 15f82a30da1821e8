import type { ClickHouseClient } from '@clickhouse/client';
import { RedMinute } from '@vigil/detection';
import { RedSeriesReader } from '@vigil/telemetry';
import { RedMinuteSource } from './detection-runner';

/** The detector's RED minutes from the ClickHouse 1-minute rollup (states merged, so every processor's rows count). */
export class ClickHouseRedMinutes implements RedMinuteSource {
  private readonly reader: RedSeriesReader;

  constructor(client: ClickHouseClient, database: string) {
    this.reader = new RedSeriesReader(client, database);
  }

  keys(since: number) {
    return this.reader.newestMinutes({ since: new Date(since) });
  }

  async minutes(from: number, to: number, keys?: ReadonlyArray<{ service: string; operation: string }>): Promise<RedMinute[]> {
    const wanted = keys ? new Set(keys.map((key) => `${key.service}\u0000${key.operation}`)) : undefined;
    const points = await this.reader.series({ from: new Date(from), to: new Date(to), step: '1m' });
    return points
      .filter((point) => !wanted || wanted.has(`${point.service}\u0000${point.operation}`))
      .map((point) => ({ service: point.service, operation: point.operation, minute: Date.parse(point.minute), requests: point.requests, errors: point.errors, p95Ms: point.p95Ms, p99Ms: point.p99Ms, percentilesMs: point.percentilesMs }));
  }
}
