import type { ClickHouseClient } from '@clickhouse/client';

/** Where the telemetry tables live: the client and the database the ClickHouseMigrator created them in. */
export interface TelemetryStore {
  readonly client: ClickHouseClient;
  /** Default `default`. */
  readonly database?: string;
}

/** Reads JSON rows from the telemetry tables; `table('otel_traces')` names a table of the configured database. */
export class ClickHouseReader {
  constructor(private readonly store: TelemetryStore) {}

  table(name: string): string {
    return `\`${(this.store.database ?? 'default').replace(/`/g, '``')}\`.${name}`;
  }

  async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await this.store.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

/** A ClickHouse expression for an epoch-millisecond query parameter, comparable with DateTime64 columns. */
export const instantParam = (name: string): string => `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`;

/** Sample weights as the integers the *Weighted quantiles take (a row stands for at least itself). */
export const INTEGER_WEIGHT = 'toUInt64(greatest(1, round(SampleWeight)))';

/** ClickHouse returns 64-bit numbers as strings in JSON. */
export const toNumber = (value: number | string | null | undefined): number => (value === null || value === undefined ? 0 : Number(value));
