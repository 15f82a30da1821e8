import { cpus, loadavg } from 'node:os';
import { flagsUsage, FlagSpec, parseFlags } from './lib/args';
import { BenchPostgres } from './lib/postgres';
import { note } from './lib/progress';
import { barChart, formatCount, formatRatio, markdownTable, writeResults } from './lib/report';
import { AppendCell, benchAppends } from './eventstore/appends';
import { benchRebuild } from './eventstore/rebuild';

const FLAGS = {
  seconds: { default: 3, description: 'measured seconds per append cell and side', min: 0.2 },
  warmup: { default: 0.5, description: 'warm-up seconds per append cell and side', min: 0 },
  events: { default: 1_000_000, description: 'events bulk-loaded for the rebuild', integer: true },
  streams: { default: 1_000, description: 'streams the loaded events spread over', integer: true },
  batch: { default: 5_000, description: 'events per read batch (rebuild and raw read)', integer: true },
  'load-batch': { default: 10_000, description: 'rows per bulk-load INSERT', integer: true },
  stall: { default: 120, description: 'abandon the rebuild after this many seconds without progress', min: 1 },
} satisfies Record<string, FlagSpec>;

export const usage = `npm run bench -- eventstore [flags]\n${flagsUsage(FLAGS)}`;

const CONCURRENCIES = [1, 8, 32];
const EVENTS_PER_APPEND = [1, 10];

/** Targets, as ratios to a baseline measured in the same run (plus one absolute floor for the rebuild). */
const GOALS = {
  appendRatio: { concurrency: 8, eventsPerAppend: 1, min: 0.8 },
  rebuildRatio: 0.5,
  rebuildEventsPerSecond: 100_000,
};

interface GoalRow {
  readonly case: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly goal: string;
  readonly met: boolean | undefined;
}

function cellName(cell: Pick<AppendCell, 'concurrency' | 'eventsPerAppend'>): string {
  return `c=${cell.concurrency} ×${cell.eventsPerAppend} ev`;
}

/**
 * `npm run bench -- eventstore`: PostgresEventStore.append vs a plain INSERT, and the audit-index rebuild vs a
 * raw read of the log, on one Postgres server (the harness's embedded one, or DATABASE_URL): a fresh migrated
 * database for the appends, dropped before a second fresh one is loaded for the rebuild, so neither the appended
 * rows nor their autovacuum leak into the rebuild's numbers. Ratios are the result; absolute rates are context.
 */
export async function run(args: readonly string[]): Promise<void> {
  const flags = parseFlags(args, FLAGS);
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  const postgres = await BenchPostgres.start();
  try {
    const server = await postgres.info();
    note(`postgres ${server.version} (${server.external ? 'DATABASE_URL' : 'embedded'}), node ${process.version}, ${cpus().length} CPUs`);

    note('\n# appends: PostgresEventStore.append vs plain INSERT into events_plain');
    const appendsDb = await postgres.freshDatabase();
    const cells = await benchAppends(appendsDb.url, {
      concurrencies: CONCURRENCIES,
      eventsPerAppend: EVENTS_PER_APPEND,
      seconds: flags.seconds,
      warmupSeconds: flags.warmup,
    });
    await postgres.drop(appendsDb); // its autovacuum must not run during the rebuild

    note(`\n# rebuild: ${formatCount(flags.events)} events, rebuildProjection(audit-index) vs raw keyset read`);
    const rebuildDb = await postgres.freshDatabase();
    const rebuild = await benchRebuild(rebuildDb.url, {
      events: flags.events,
      streams: flags.streams,
      batch: flags.batch,
      loadBatch: flags['load-batch'],
      stallSeconds: flags.stall,
    });

    const rows: GoalRow[] = cells.map((cell) => {
      const goal = cell.concurrency === GOALS.appendRatio.concurrency && cell.eventsPerAppend === GOALS.appendRatio.eventsPerAppend;
      return {
        case: `append ${cellName(cell)} (appends/s)`,
        ours: formatCount(cell.ours.appendsPerSecond),
        baseline: formatCount(cell.plain.appendsPerSecond),
        ratio: formatRatio(cell.ratio),
        goal: goal ? `≥ ${formatRatio(GOALS.appendRatio.min)}` : '',
        met: goal ? cell.ratio >= GOALS.appendRatio.min : undefined,
      };
    });
    // An incomplete rebuild (events skipped) misses its goals whatever its speed.
    const skipped = rebuild.complete ? '' : ` (${rebuild.stalled ? 'stalled, ' : ''}missed ${formatCount(rebuild.loadedEvents - rebuild.rebuild.events)} events)`;
    rows.push({
      case: `rebuild audit-index, ${formatCount(flags.events)} events (events/s)`,
      ours: formatCount(rebuild.rebuild.eventsPerSecond),
      baseline: formatCount(rebuild.baseline.eventsPerSecond),
      ratio: formatRatio(rebuild.ratio),
      goal: `≥ ${formatRatio(GOALS.rebuildRatio)}`,
      met: rebuild.complete && rebuild.ratio >= GOALS.rebuildRatio,
    });
    rows.push({
      case: `rebuild audit-index, absolute (events/s)`,
      ours: formatCount(rebuild.rebuild.eventsPerSecond),
      baseline: '',
      ratio: '',
      goal: `≥ ${formatCount(GOALS.rebuildEventsPerSecond)}/s`,
      met: rebuild.complete && rebuild.rebuild.eventsPerSecond >= GOALS.rebuildEventsPerSecond,
    });

    const table = markdownTable(
      ['case', 'ours', 'baseline', 'ratio', 'goal', 'met?'],
      rows.map((row, i) => {
        const met = row.met === undefined ? '' : row.met ? 'yes' : `NO${i >= cells.length ? skipped : ''}`;
        return [row.case, row.ours, row.baseline, row.ratio, row.goal, met];
      }),
    );
    const chart = barChart(
      'appends/s per cell (ours = PostgresEventStore.append, plain = INSERT into events_plain)',
      cells.flatMap((cell, i) => [
        ...(i > 0 ? [{ label: '', value: 0 }] : []),
        { label: `${cellName(cell)} ours `, value: cell.ours.appendsPerSecond },
        { label: `${cellName(cell)} plain`, value: cell.plain.appendsPerSecond },
      ]),
      'appends/s',
    );
    const path = writeResults('eventstore', {
      benchmark: 'eventstore',
      startedAt,
      finishedAt: new Date().toISOString(),
      flags,
      environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart, loadAverageAtEnd: loadavg(), postgres: server },
      goals: GOALS,
      appends: cells,
      rebuild,
      table: rows,
    });

    process.stdout.write(
      [
        `## Event store benchmark (baselines measured in the same run; postgres ${server.version}, ${cpus().length} CPUs)`,
        '',
        table,
        '',
        'Baselines: append = one multi-row INSERT into events_plain (same columns and indexes, no hash chain, no UNIQUE (stream_id, stream_version));',
        `rebuild = raw keyset read of the log in batches of ${formatCount(flags.batch)} ordered by (transaction_id, global_position), rows parsed like the store.`,
        '',
        '```',
        chart,
        '```',
        '',
        `raw results: ${path}`,
        '',
      ].join('\n'),
    );
  } finally {
    note('dropping the bench databases…');
    await postgres.close();
  }
}
