import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { exportParquet, type ExportedFile } from '../clickhouse/parquet-export';
import { RED_TIERS, type RedStep } from '../clickhouse/migrations';

export const EXPORT_PARQUET_USAGE = `Usage: vigil telemetry export-parquet [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out DIR] [--database NAME] [--tier 1h|10m|1m]
  Writes the RED rollup (finalized: requests, errors, error rate, p50/p95/p99 and durations in ms) as one Parquet file
  per UTC day with data. --from defaults to yesterday, --to (exclusive) to today, --out to ./telemetry-export,
  --tier to 1h (the cold tier). Progress goes to stderr, the written paths to stdout.`;

const DAY_MS = 86_400_000;

function parseDay(value: string | undefined, fallback: Date, name: string): Date {
  if (value === undefined) return fallback;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new Error(`--${name}: not a date: ${value}`);
  return date;
}

/**
 * `vigil telemetry export-parquet …`: argv holds the arguments after the command name. Resolves with the files
 * written; throws (with the usage in the message) on bad arguments.
 */
export async function runExportParquet(argv: string[], client: ClickHouseClient, io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<ExportedFile[]> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, database: { type: 'string' }, tier: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    stderr.write(`${EXPORT_PARQUET_USAGE}\n`);
    return [];
  }
  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const from = parseDay(values.from, new Date(today.getTime() - DAY_MS), 'from');
  const to = parseDay(values.to, today, 'to');
  if (to <= from) throw new Error(`--to must be after --from\n${EXPORT_PARQUET_USAGE}`);
  const tier = values.tier ?? '1h';
  if (!(tier in RED_TIERS)) throw new Error(`--tier must be one of ${Object.keys(RED_TIERS).join(', ')}\n${EXPORT_PARQUET_USAGE}`);
  const days = Math.ceil((to.getTime() - Math.floor(from.getTime() / DAY_MS) * DAY_MS) / DAY_MS);
  let done = 0;
  stderr.write(`exporting ${RED_TIERS[tier as RedStep].table} ${from.toISOString()} → ${to.toISOString()} (${days} day(s)) to ${values.out ?? './telemetry-export'}\n`);
  const files = await exportParquet({
    client, database: values.database, from, to, outDir: values.out ?? './telemetry-export', tier: tier as RedStep,
    onProgress: ({ day, file, rows }) => {
      done++;
      stderr.write(`[${done}/${days}] ${day}: ${file ? `${rows} rows → ${file}` : 'no data, skipped'}\n`);
    },
  });
  for (const file of files) stdout.write(`${file.path}\n`);
  stderr.write(`done: ${files.length} file(s), ${files.reduce((sum, file) => sum + file.rows, 0)} rows\n`);
  return files;
}
