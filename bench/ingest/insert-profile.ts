/**
 * Where the CPU of an otel_traces insert into chDB goes, stage by stage, in one process and one run: JS row building
 * (spanRow, compactRows), serialisation per format, how the rows reach the engine, and the engine's own parse and
 * part write — a Null table with the same columns (parse only), MergeTree without skip indexes or materialized views,
 * with the skip indexes, otel_traces' codecs, and the real otel_traces with its trace-id materialized view — per
 * format, per transport and per setting. Every figure is process CPU (user + system, all threads, chDB's included)
 * per row, i.e. µs of one core.
 *
 *   node -r ./tools/register.js bench/ingest/insert-profile.ts [--rows 20000] [--batch 5000] [--rounds 5]
 *
 * Transports: `client.insert` (@clickhouse/client; chdb/connection concatenates the body into the statement text),
 * chDB's raw insert (chdb/connection's `.chdb.rawInsert`: the body as a Buffer, still inline in the statement),
 * `INSERT … FROM INFILE` (the body written to a local file that the engine reads) and `INSERT … SELECT FROM file()`.
 * The transports are compared round by round (each round runs every transport once), so the box's noise hits all of
 * them alike. One fresh chDB data dir per run under /tmp (chDB binds one data dir per process). The last section
 * reads every column of every row back and compares it with a JSONEachRow insert of the same rows.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type * as ChdbConnectionModule from 'chdb/dist/connection';
import type { OtelSpansValueV1, SpanV1 } from '@vigil/contracts';
import { ClickHouseMigrator, jsonLines, spanRow, TRACES } from '@vigil/telemetry';
import { flagsUsage, parseFlags, UsageError, type FlagSpec } from '../lib/args';
import { formatCount, markdownTable } from '../lib/report';
import { buildSpanPool } from './span-pool';

const FLAGS = {
  rows: { default: 20_000, description: 'distinct spans (shop traffic, as the ingest bench)', integer: true },
  batch: { default: 5_000, description: 'rows per INSERT (the writer inserts up to 5 000)', integer: true },
  rounds: { default: 5, description: 'passes per stage (the median by CPU is reported)', integer: true },
  only: { default: 0, description: '1: only the JS stages; 2: skip the settings and batch-size sweeps', integer: true, min: 0 },
} satisfies Record<string, FlagSpec>;

type Flags = Record<keyof typeof FLAGS, number>;
export const usage = `node -r ./tools/register.js bench/ingest/insert-profile.ts [flags]\n${flagsUsage(FLAGS)}`;

type Row = Record<string, unknown>;
type Format = 'JSONEachRow' | 'JSONCompactEachRow' | 'TabSeparated';
const FORMATS: readonly Format[] = ['JSONEachRow', 'JSONCompactEachRow', 'TabSeparated'];
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;
type RawInsert = (params: { table: string; values: Buffer; format: string; columns?: string[]; settings?: Record<string, string | number> }) => Promise<unknown>;

interface Pass { wallMs: number; cpuMs: number }

async function timed(work: () => unknown): Promise<Pass> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

const median = (passes: readonly Pass[]) => [...passes].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(passes.length / 2)];

// ---- serialisation -------------------------------------------------------------------------------------------------

/** Rows as arrays in the order of the first row's keys (what compactRows does, without its shape checks). */
const compact = (rows: readonly Row[]) => {
  const names = Object.keys(rows[0]);
  return { names, values: rows.map((row) => names.map((name) => row[name])) };
};

/** TabSeparated text of a value: top-level strings escaped, Array/Map in ClickHouse's quoted text form. */
function tsvField(value: unknown, nested: boolean): string {
  if (typeof value === 'string') {
    return nested ? `'${value.replace(/[\\'\t\n\r]/g, (c) => TSV_ESCAPES[c])}'` : value.replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c]);
  }
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map((element) => tsvField(element, true)).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([key, element]) => `${tsvField(key, true)}:${tsvField(element, true)}`).join(',')}}`;
  throw new Error(`no TabSeparated form for ${typeof value}`);
}
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const tabSeparated = (values: readonly unknown[][]) => {
  let body = '';
  for (const row of values) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += i === 0 ? tsvField(row[i], false) : `\t${tsvField(row[i], false)}`;
    body += `${line}\n`;
  }
  return body;
};

function body(format: Format, rows: readonly Row[]): { columns: string[] | undefined; text: string } {
  if (format === 'JSONEachRow') return { columns: undefined, text: jsonLines(rows) };
  const { names, values } = compact(rows);
  return { columns: names, text: format === 'JSONCompactEachRow' ? jsonLines(values) : tabSeparated(values) };
}

const columnList = (columns: string[] | undefined) => (columns ? ` (${columns.map((name) => `\`${name}\``).join(', ')})` : '');

// ---- the run -------------------------------------------------------------------------------------------------------

interface Result { section: string; stage: string; pass: Pass }

export async function run(args: readonly string[]): Promise<void> {
  const flags: Flags = parseFlags(args, FLAGS);
  const results: Result[] = [];
  const count = flags.rows;
  let section = '';
  const record = (stage: string, pass: Pass) => {
    results.push({ section, stage, pass });
    process.stderr.write(`${`${section}: ${stage}`.padEnd(96)} ${((pass.cpuMs * 1000) / count).toFixed(2).padStart(7)} µs/row CPU ${((pass.wallMs * 1000) / count).toFixed(2).padStart(7)} wall\n`);
  };
  const stage = async (name: string, work: () => unknown, before?: () => Promise<unknown>) => {
    await before?.();
    await work(); // warm-up
    const passes: Pass[] = [];
    for (let round = 0; round < flags.rounds; round++) {
      await before?.();
      passes.push(await timed(work));
    }
    record(name, median(passes));
  };
  /** Alternating: every round runs each variant once. */
  const compare = async (variants: ReadonlyArray<[string, () => Promise<unknown>]>, before?: () => Promise<unknown>) => {
    const passes = variants.map((): Pass[] => []);
    for (let round = -1; round < flags.rounds; round++) {
      for (const [index, [, work]] of variants.entries()) {
        await before?.();
        const pass = await timed(work);
        if (round >= 0) passes[index].push(pass);
      }
    }
    variants.forEach(([name], index) => record(name, median(passes[index])));
  };

  process.stderr.write(`building ${formatCount(count)} spans…\n`);
  const pool = buildSpanPool({ spans: count, spansPerBody: 1000, seed: 42 });
  const decode = (): SpanV1[] => pool.bodies.flatMap((b) => TRACES.decode(b, 'protobuf').messages.flatMap((message) => (message.value as OtelSpansValueV1).spans));
  const spans = decode().slice(0, count);
  const rows = spans.map(spanRow);
  const batches: Row[][] = [];
  for (let i = 0; i < rows.length; i += flags.batch) batches.push(rows.slice(i, i + flags.batch));

  section = 'JS';
  await stage('OTLP protobuf decode + convert (pool → SpanV1; receiver)', decode);
  await stage('spanRow', () => spans.map(spanRow));
  await stage('rows → arrays (JSONCompactEachRow values)', () => batches.forEach(compact));
  for (const format of FORMATS) await stage(`${format} body (${format === 'TabSeparated' ? 'JS escaping' : 'JSON.stringify per row'})`, () => batches.forEach((batch) => body(format, batch)));
  const bodies = new Map(FORMATS.map((format) => [format, batches.map((batch) => body(format, batch))]));
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-insert-profile-'));
  await stage('JSONCompactEachRow body → file (writeFileSync + unlink)', () => bodies.get('JSONCompactEachRow')!.forEach((b, i) => {
    writeFileSync(join(tmp, `w${i}`), b.text);
    unlinkSync(join(tmp, `w${i}`));
  }));
  for (const format of FORMATS) {
    const bytes = bodies.get(format)!.reduce((sum, b) => sum + Buffer.byteLength(b.text), 0);
    process.stderr.write(`  ${format}: ${(bytes / count).toFixed(0)} bytes/row\n`);
  }
  if (flags.only === 1) {
    rmSync(tmp, { recursive: true, force: true });
    return report(results, flags);
  }

  const dataDir = join(tmp, 'chdb');
  // Only reachable through package "exports", which moduleResolution "node" cannot see; types come from dist/.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createChdbConnection } = require('chdb/connection') as typeof ChdbConnectionModule;
  const connection = createChdbConnection({ path: dataDir });
  const rawInsert = (connection as unknown as { chdb: { rawInsert: RawInsert } }).chdb.rawInsert;
  const client = createClient({ connection: connection as unknown as ClientConnection });
  const db = 'profile';
  try {
    await client.command({ query: `CREATE DATABASE ${db}` });
    await new ClickHouseMigrator(client, { database: db }).migrate();
    await makeVariantTables(client, db);
    // Every insert its own token: the passes repeat the same blocks, and chDB drops a repeated block by its data hash
    // even with insert_deduplicate = 0.
    let sequence = 0;
    const fresh = () => ({ date_time_input_format: 'basic' as const, insert_deduplication_token: `profile-${++sequence}` });
    const settingsSql = (extra: Record<string, string | number> = {}) => Object.entries({ ...fresh(), ...extra }).map(([k, v]) => `${k} = ${typeof v === 'number' ? v : `'${v}'`}`).join(', ');
    const files = new Map(FORMATS.map((format) => [format, bodies.get(format)!.map((b, i) => {
      const path = join(tmp, `${format}-${i}.txt`);
      writeFileSync(path, b.text);
      return path;
    })]));
    const buffers = new Map(FORMATS.map((format) => [format, bodies.get(format)!.map((b) => Buffer.from(b.text))]));
    const truncate = (table: string) => async () => {
      // Parts the passes leave would be merged in the background during later stages: drop them between passes.
      if (table !== 't_null') await client.command({ query: `TRUNCATE TABLE ${db}.${table}` });
      if (table === 'otel_traces') await client.command({ query: `TRUNCATE TABLE ${db}.otel_traces_trace_id_ts` });
    };
    const inline = (table: string, format: Format, extra: Record<string, string | number> = {}) => async () => {
      for (const [i, buffer] of buffers.get(format)!.entries()) {
        await rawInsert({ table: `${db}.${table}`, values: buffer, format, columns: bodies.get(format)![i].columns, settings: { ...fresh(), ...extra } });
      }
    };
    const infile = (table: string, format: Format, extra: Record<string, string | number> = {}) => async () => {
      for (const [i, path] of files.get(format)!.entries()) {
        await client.command({ query: `INSERT INTO ${db}.${table}${columnList(bodies.get(format)![i].columns)} FROM INFILE '${path}' COMPRESSION 'none' SETTINGS ${settingsSql(extra)} FORMAT ${format}` });
      }
    };

    section = 'engine, body pre-built, inline (chDB raw insert)';
    for (const [table, label] of TABLES) {
      for (const format of FORMATS) await stage(`${label}, ${format}`, inline(table, format), truncate(table));
    }
    section = 'engine, body pre-built, local file (INSERT … FROM INFILE)';
    for (const [table, label] of TABLES) {
      for (const format of FORMATS) await stage(`${label}, ${format}`, infile(table, format), truncate(table));
    }
    section = 'engine, file() table function';
    const structure = (await (await client.query({ query: `SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'otel_traces' ORDER BY position`, format: 'JSONEachRow' })).json<{ name: string; type: string }>());
    const compactNames = bodies.get('TabSeparated')![0].columns!;
    const fileStructure = compactNames.map((name) => `\`${name}\` ${structure.find((column) => column.name === name)!.type}`).join(', ');
    for (const format of ['JSONCompactEachRow', 'TabSeparated'] as const) {
      await stage(`SELECT every column FROM file(), ${format} (parse only)`, async () => {
        for (const path of files.get(format)!) await client.command({ query: `SELECT * FROM file('${path}', ${format}, '${fileStructure}') SETTINGS date_time_input_format = 'basic' FORMAT Null` });
      });
    }

    if (flags.only !== 2) {
      section = 'settings, otel_traces, FROM INFILE JSONCompactEachRow';
      const sweep: Array<[string, Record<string, string | number>]> = [
        ['(none)', {}],
        ['input_format_parallel_parsing = 0', { input_format_parallel_parsing: 0 }],
        ['max_insert_threads = 1', { max_insert_threads: 1 }],
        ['max_threads = 1', { max_threads: 1 }],
        ['optimize_on_insert = 0', { optimize_on_insert: 0 }],
        ['min_insert_block_size_rows = 1000000, bytes = 0', { min_insert_block_size_rows: 1_000_000, min_insert_block_size_bytes: 0 }],
        ['materialize_skip_indexes_on_insert = 0 (skip indexes not built: changes behaviour)', { materialize_skip_indexes_on_insert: 0 }],
      ];
      await compare(sweep.map(([label, extra]) => [label, infile('otel_traces', 'JSONCompactEachRow', extra)]), truncate('otel_traces'));
      section = 'rows per insert, otel_traces, FROM INFILE JSONCompactEachRow, incl. serialisation';
      const perBatch = (size: number) => async () => {
        for (let i = 0; i < rows.length; i += size) {
          const b = body('JSONCompactEachRow', rows.slice(i, i + size));
          const path = join(tmp, `batch-${size}-${i}`);
          writeFileSync(path, b.text);
          await client.command({ query: `INSERT INTO ${db}.otel_traces${columnList(b.columns)} FROM INFILE '${path}' COMPRESSION 'none' SETTINGS ${settingsSql()} FORMAT JSONCompactEachRow` });
          unlinkSync(path);
        }
      };
      await compare([1_000, 5_000, 20_000].filter((size) => size <= rows.length).map((size) => [`${formatCount(size)} rows per insert`, perBatch(size)]), truncate('otel_traces'));
    }

    section = 'end to end from rows, otel_traces (serialisation + transport + engine)';
    const viaClient = (format: 'JSONEachRow' | 'JSONCompactEachRow') => async () => {
      for (const batch of batches) {
        if (format === 'JSONEachRow') await client.insert({ table: `${db}.otel_traces`, values: batch, format, clickhouse_settings: fresh() });
        else {
          const { names, values } = compact(batch);
          await client.insert({ table: `${db}.otel_traces`, columns: names.map((name) => `\`${name}\``) as [string, ...string[]], values, format, clickhouse_settings: fresh() });
        }
      }
    };
    const viaRaw = async () => {
      for (const batch of batches) {
        const b = body('JSONCompactEachRow', batch);
        await rawInsert({ table: `${db}.otel_traces`, values: Buffer.from(b.text), format: 'JSONCompactEachRow', columns: b.columns, settings: fresh() });
      }
    };
    const viaFile = (format: Format) => async () => {
      for (const [i, batch] of batches.entries()) {
        const b = body(format, batch);
        const path = join(tmp, `e2e-${i}`);
        writeFileSync(path, b.text);
        await client.command({ query: `INSERT INTO ${db}.otel_traces${columnList(b.columns)} FROM INFILE '${path}' COMPRESSION 'none' SETTINGS ${settingsSql()} FORMAT ${format}` });
        unlinkSync(path);
      }
    };
    await compare([
      ['client.insert JSONEachRow (the ingest baseline before)', viaClient('JSONEachRow')],
      ['client.insert JSONCompactEachRow (the writer before)', viaClient('JSONCompactEachRow')],
      ['chDB raw insert, Buffer, JSONCompactEachRow', viaRaw],
      ['file + FROM INFILE, JSONCompactEachRow (the writer and baseline now)', viaFile('JSONCompactEachRow')],
      ['file + FROM INFILE, TabSeparated', viaFile('TabSeparated')],
    ], truncate('otel_traces'));

    section = 'background merge, otel_traces';
    // What each later merge costs a row again (decompress, merge-sort, recompress, rebuild the skip indexes): the
    // parts of one pass, merged into one by OPTIMIZE … FINAL. A live table merges each row a few times over.
    const merge = async (table: string) => {
      await truncate(table)();
      await client.command({ query: `SYSTEM STOP MERGES ${db}.${table}` });
      await infile(table, 'JSONCompactEachRow')();
      await client.command({ query: `SYSTEM START MERGES ${db}.${table}` });
    };
    await stage(`${formatCount(batches.length)} parts → 1 (OPTIMIZE TABLE otel_traces FINAL)`, () => client.command({ query: `OPTIMIZE TABLE ${db}.otel_traces FINAL` }), () => merge('otel_traces'));
    await stage(`${formatCount(batches.length)} parts → 1, MergeTree without skip indexes, LZ4`, () => client.command({ query: `OPTIMIZE TABLE ${db}.t_plain FINAL` }), () => merge('t_plain'));

    section = 'read back';
    await verify(client, db, rows, tmp);
  } finally {
    await client.close().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
  report(results, flags);
}

/** Tables with otel_traces' columns that leave out one cost at a time. */
const TABLES: ReadonlyArray<[string, string]> = [
  ['t_null', 'Null table (parse only)'],
  ['t_plain', 'MergeTree, no skip index, LZ4'],
  ['t_indexed', 'MergeTree + the 6 skip indexes, LZ4'],
  ['t_nomv', "otel_traces' codecs and indexes, no MV"],
  ['otel_traces', 'otel_traces (codecs, indexes, trace-id MV)'],
];

async function makeVariantTables(client: ClickHouseClient, db: string): Promise<void> {
  const columns = await (await client.query({ query: `SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'otel_traces' ORDER BY position`, format: 'JSONEachRow' })).json<{ name: string; type: string }>();
  const list = columns.map((c) => `\`${c.name}\` ${c.type} CODEC(LZ4)`).join(', ');
  const layout = 'ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SpanName, toDateTime(Timestamp)) SETTINGS index_granularity = 8192';
  const indexes = [
    'INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1',
    'INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1',
    'INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1',
    'INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1',
    'INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1',
    'INDEX idx_duration Duration TYPE minmax GRANULARITY 1',
  ].join(', ');
  await client.command({ query: `CREATE TABLE ${db}.t_null (${columns.map((c) => `\`${c.name}\` ${c.type}`).join(', ')}) ENGINE = Null` });
  await client.command({ query: `CREATE TABLE ${db}.t_plain (${list}) ${layout}` });
  await client.command({ query: `CREATE TABLE ${db}.t_indexed (${list}, ${indexes}) ${layout}` });
  await client.command({ query: `CREATE TABLE ${db}.t_nomv AS ${db}.otel_traces` });
}

/**
 * Every column of every row as stored through FROM INFILE JSONCompactEachRow (and TabSeparated) against a
 * client.insert JSONEachRow of the same rows: Map, Array/Nested columns and DateTime64(9) nanoseconds included.
 */
async function verify(client: ClickHouseClient, db: string, rows: readonly Row[], tmp: string): Promise<void> {
  const settings = "SETTINGS date_time_input_format = 'basic'";
  for (const table of ['ref', 'via_file', 'via_tsv']) await client.command({ query: `CREATE TABLE ${db}.${table} AS ${db}.t_nomv` });
  await client.insert({ table: `${db}.ref`, values: rows as Row[], format: 'JSONEachRow', clickhouse_settings: { date_time_input_format: 'basic' } });
  for (const [table, format] of [['via_file', 'JSONCompactEachRow'], ['via_tsv', 'TabSeparated']] as const) {
    const b = body(format, rows);
    const path = join(tmp, `verify-${table}`);
    writeFileSync(path, b.text);
    await client.command({ query: `INSERT INTO ${db}.${table}${columnList(b.columns)} FROM INFILE '${path}' COMPRESSION 'none' ${settings} FORMAT ${format}` });
  }
  const names = (await (await client.query({ query: `SELECT name FROM system.columns WHERE database = '${db}' AND table = 'ref' ORDER BY position`, format: 'JSONEachRow' })).json<{ name: string }>()).map((c) => `\`${c.name}\``);
  // Timestamps as their exact nanosecond text, so a lost digit shows.
  const select = names.map((name) => (/Timestamp/.test(name) ? `toString(${name}) AS ${name}` : name)).join(', ');
  const read = async (table: string) => (await client.query({ query: `SELECT ${select} FROM ${db}.${table} ORDER BY ${names.join(', ')}`, format: 'JSONCompactEachRow' })).text();
  const reference = await read('ref');
  const sample = JSON.parse(reference.split('\n').find((line) => line.includes('exception')) ?? reference.split('\n')[0]) as unknown[];
  process.stderr.write(`read back: ${formatCount(rows.length)} rows, ${names.length} columns; e.g. Timestamp ${String(sample[0])}, Events.Timestamp ${JSON.stringify(sample[names.indexOf('`Events.Timestamp`')])}\n`);
  for (const table of ['via_file', 'via_tsv']) {
    const stored = await read(table);
    process.stderr.write(`  ${table === 'via_file' ? 'FROM INFILE JSONCompactEachRow' : 'FROM INFILE TabSeparated'}: ${stored === reference ? 'identical to' : 'DIFFERS from'} client.insert JSONEachRow (${formatCount(stored.length)} bytes of JSON)\n`);
    if (stored !== reference) process.exitCode = 1;
  }
}

function report(results: readonly Result[], flags: Flags): void {
  const micros = (pass: Pass) => (pass.cpuMs * 1000) / flags.rows;
  const table = markdownTable(
    ['section', 'stage', 'µs/row (CPU, all threads)', 'rows/s per core', 'µs/row (wall)'],
    results.map(({ section, stage, pass }) => [section, stage, micros(pass).toFixed(2), formatCount(1e6 / micros(pass)), ((pass.wallMs * 1000) / flags.rows).toFixed(2)]),
  );
  process.stdout.write(`\n## otel_traces insert into chDB, CPU per stage (${formatCount(flags.rows)} spans, ${formatCount(flags.batch)} rows per insert, median of ${flags.rounds})\n\n${table}\n`);
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${usage}\n`);
      else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
