import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { RED_QUANTILES, RED_TIERS, redQuantilesMerge, type RedStep } from './migrations';
import { epochSeconds } from './rows';

export interface ExportParquetOptions {
  client: ClickHouseClient;
  database?: string;
  /** Start of the first UTC day exported (rounded down to midnight). */
  from: Date;
  /** Exclusive end. */
  to: Date;
  outDir: string;
  /** RED tier to export. Default '1h' (the cold tier). */
  tier?: RedStep;
  onProgress?: (event: { day: string; file: string | null; rows: number }) => void;
}

export interface ExportedFile {
  day: string;
  path: string;
  rows: number;
}

const DAY_MS = 86_400_000;

/**
 * Writes the RED rollup with finalized values (counts, error rate, quantiles and durations in ms) as one Parquet file
 * per UTC day with data: `<outDir>/otel_red_<tier>_<YYYY-MM-DD>.parquet`. Aggregate states have no Parquet type and
 * would be useless outside ClickHouse, hence finalized. Each file is written under a temporary name and renamed
 * when complete, so a reader never sees half a file.
 */
export async function exportParquet(options: ExportParquetOptions): Promise<ExportedFile[]> {
  const tier = options.tier ?? '1h';
  const database = options.database ?? 'default';
  const table = `\`${database}\`.${RED_TIERS[tier].table}`;
  await mkdir(options.outDir, { recursive: true });
  const files: ExportedFile[] = [];
  for (let day = Math.floor(options.from.getTime() / DAY_MS) * DAY_MS; day < options.to.getTime(); day += DAY_MS) {
    const dayName = new Date(day).toISOString().slice(0, 10);
    const params = { from: epochSeconds(Math.max(day, options.from.getTime())), to: epochSeconds(Math.min(day + DAY_MS, options.to.getTime())) };
    const where = 'WHERE Timestamp >= toDateTime({from:UInt32}) AND Timestamp < toDateTime({to:UInt32})';
    const [{ rows }] = await (await options.client.query({
      query: `SELECT toString(count()) AS rows FROM (SELECT 1 FROM ${table} ${where} GROUP BY Timestamp, ServiceName, SpanName)`,
      query_params: params, format: 'JSONEachRow',
    })).json<{ rows: string }>();
    if (Number(rows) === 0) {
      options.onProgress?.({ day: dayName, file: null, rows: 0 });
      continue;
    }
    const path = join(options.outDir, `${RED_TIERS[tier].table}_${dayName}.parquet`);
    const result = await options.client.exec({
      query: `SELECT Timestamp, ServiceName, SpanName, Requests, Errors, if(Requests = 0, 0, Errors / Requests) AS ErrorRate,
                     Quantiles[1] / 1e6 AS P50Ms, Quantiles[2] / 1e6 AS P95Ms, Quantiles[3] / 1e6 AS P99Ms,
                     DurationSumNs / 1e6 AS DurationSumMs, DurationMinNs / 1e6 AS DurationMinMs, DurationMaxNs / 1e6 AS DurationMaxMs
              FROM (
                SELECT Timestamp, ServiceName, SpanName, countMerge(Requests) AS Requests, countIfMerge(Errors) AS Errors,
                       ${redQuantilesMerge(RED_QUANTILES)}(DurationQuantiles) AS Quantiles,
                       sumMerge(DurationSum) AS DurationSumNs, minMerge(DurationMin) AS DurationMinNs, maxMerge(DurationMax) AS DurationMaxNs
                FROM ${table} ${where}
                GROUP BY Timestamp, ServiceName, SpanName
              )
              ORDER BY Timestamp, ServiceName, SpanName
              FORMAT Parquet`,
      query_params: params,
    });
    const partial = `${path}.partial`;
    try {
      await pipeline(result.stream as Readable, createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    files.push({ day: dayName, path, rows: Number(rows) });
    options.onProgress?.({ day: dayName, file: path, rows: Number(rows) });
  }
  return files;
}
