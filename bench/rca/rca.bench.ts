import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flagsUsage, FlagSpec, parseFlags, UsageError } from '../lib/args';
import { note, progressBar } from '../lib/progress';
import { markdownTable, writeResults } from '../lib/report';
import { hitAt, mulberry32, oursRanking, PARAMETERS, randomRanking, zScoreRanking } from './methods';
import { loadNezha, NEZHA_BASELINE_MS, NEZHA_WINDOW_AFTER_MS, NEZHA_WINDOW_BEFORE_MS } from './nezha';
import { loadPetShop } from './petshop';
import { NEZHA_PUBLISHED, NEZHA_SOURCE, PETSHOP_PUBLISHED, PETSHOP_SOURCE } from './published';
import type { RcaCase } from './rca-case';

const FLAGS = {
  seed: { default: 42, description: 'seed of the random ranking', min: 0, integer: true },
  draws: { default: 1000, description: 'random rankings drawn per case (their hit rates are averaged)', integer: true },
} satisfies Record<string, FlagSpec>;

/** The datasets live outside the repository (never copied in): ../shared/datasets/rca, or VIGIL_RCA_DATA. */
const DATA_ROOT = process.env.VIGIL_RCA_DATA ?? resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'rca');

export const usage = `npm run bench -- rca [flags]
Root-cause ranking on the PetShop and Nezha datasets (${DATA_ROOT}; override with VIGIL_RCA_DATA):
ours (robust z + onsets + walk of the call graph from the symptom) vs a plain z-score ranking and a random one,
measured in this run, next to the published baselines the dataset READMEs quote.
${flagsUsage(FLAGS)}`;

const KS = [1, 3, 5] as const;

interface CaseResult {
  readonly id: string;
  readonly dataset: RcaCase['dataset'];
  readonly group: string;
  readonly truth: string;
  readonly faultType?: string;
  readonly candidates: number;
  readonly ours: { readonly top: readonly string[]; readonly rank: number | null; readonly found: boolean };
  readonly zScore: { readonly top: readonly string[]; readonly rank: number | null };
  /** Mean hit rate over the random draws, per k. */
  readonly random: Readonly<Record<string, number>>;
}

export async function run(args: readonly string[]): Promise<void> {
  const flags = parseFlags(args, FLAGS);
  const petshopRoot = join(DATA_ROOT, 'petshop', 'dataset');
  const nezhaRoot = join(DATA_ROOT, 'nezha');
  if (!existsSync(petshopRoot) || !existsSync(nezhaRoot)) throw new UsageError(`RCA datasets not found under ${DATA_ROOT}`);

  const startedAt = new Date().toISOString();
  note(`# loading PetShop (${petshopRoot})`);
  const petshop = loadPetShop(petshopRoot);
  note(`# loading Nezha (${nezhaRoot})`);
  const nezha = loadNezha(nezhaRoot);
  const cases = [...petshop, ...nezha];
  note(`# ${cases.length} cases (PetShop ${petshop.length}, Nezha ${nezha.length}); one parameter set for all of them`);

  const random = mulberry32(flags.seed);
  const bar = progressBar('ranking root causes', cases.length);
  const results: CaseResult[] = [];
  for (const [index, rcaCase] of cases.entries()) {
    bar.update(index, rcaCase.id);
    const truth = rcaCase.label.rootCause;
    const ours = oursRanking(rcaCase.input);
    const z = zScoreRanking(rcaCase.input);
    const randomHits: Record<string, number> = Object.fromEntries(KS.map((k) => [`top${k}`, 0]));
    for (let draw = 0; draw < flags.draws; draw++) {
      const ranking = randomRanking(rcaCase.input, random).services;
      for (const k of KS) randomHits[`top${k}`] += hitAt(ranking, truth, k) / flags.draws;
    }
    const rankOf = (services: readonly string[]) => (services.includes(truth) ? services.indexOf(truth) + 1 : null);
    results.push({
      id: rcaCase.id,
      dataset: rcaCase.dataset,
      group: rcaCase.group,
      truth,
      ...(rcaCase.label.faultType ? { faultType: rcaCase.label.faultType } : {}),
      candidates: rcaCase.input.services.length,
      ours: { top: ours.services.slice(0, 5), rank: rankOf(ours.services), found: ours.found },
      zScore: { top: z.services.slice(0, 5), rank: rankOf(z.services) },
      random: randomHits,
    });
  }
  bar.update(cases.length, 'done');
  bar.stop();

  const petshopRows = groups(results.filter((result) => result.dataset === 'PetShop'));
  const nezhaRows = groups(results.filter((result) => result.dataset === 'Nezha'));
  const byFault = groups(
    results.filter((result) => result.dataset === 'Nezha'),
    (result) => `${result.group} · ${['return', 'exception'].includes(result.faultType ?? '') ? 'code (return/exception)' : 'resource (cpu/network)'}`,
  );

  const out: string[] = [];
  out.push('## RCA benchmark: root-cause ranking (top-k = share of faults whose labelled root cause is in the first k)', '');
  out.push(
    `Ours: per-service robust z-scores (median/MAD against the pre-fault baseline, |z| ≥ ${PARAMETERS.onset.threshold}) and onsets, then a walk of the call graph ` +
      `from the symptom through anomalous callees that began no later than their caller (±${PARAMETERS.trace.onsetToleranceMs / 1000} s), roots first. ` +
      'z-score: services by their largest z, no graph. Random: the mean of ' +
      `${flags.draws} uniform rankings (seed ${flags.seed}). One parameter set for every case.`,
    '',
  );
  out.push('### PetShop (68 issues; symptom PetSite; signal = the alert\'s metric and statistic)', '');
  out.push(
    markdownTable(
      ['scenario · target', 'n', 'ours @1', 'ours @3', 'ours no root', 'z-score @1', 'z-score @3', 'random @1', 'random @3', 'published @1', 'published @3', 'published empty'],
      [...petshopRows, total(results.filter((result) => result.dataset === 'PetShop'), 'all')].map((row) => {
        const published = PETSHOP_PUBLISHED[row.name];
        return [
          row.name,
          String(row.n),
          fmt(row.ours[1]),
          fmt(row.ours[3]),
          pct(row.oursNoRoot),
          fmt(row.z[1]),
          fmt(row.z[3]),
          fmt(row.random[1]),
          fmt(row.random[3]),
          published ? fmt(published.top1) : '',
          published ? fmt(published.top3) : '',
          published ? `${Math.round(published.empty * 100)}%` : '',
        ];
      }),
    ),
    '',
    `Published: ${PETSHOP_SOURCE}; its n counts train + test like ours, but its temporal rows used normal-period files ` +
      'missing from the stored snapshot (ours use the pre-alert rows of the temporal issues as the baseline instead), ' +
      'and an empty output counts as a miss there while ours always ranks every node ("no root" = the walk found none; ' +
      'the ranking then falls back to anomalous, then all nodes by score).',
    '',
  );

  out.push('### Nezha (101 faults; OB: call graph + caller-side edge latency, symptom frontend; TT: pod metrics only, no graph)', '');
  const nezhaTable: string[][] = [];
  const ob = nezhaRows.find((row) => row.name === 'OnlineBoutique');
  const tt = nezhaRows.find((row) => row.name === 'TrainTicket');
  const measured = (label: string, pick: (row: GroupRow) => Readonly<Record<number, number>>) => [
    label,
    ...[ob, tt].flatMap((row) => (row ? KS.map((k) => (pick(row)[k] * 100).toFixed(2)) : ['', '', ''])),
    'measured here',
  ];
  nezhaTable.push(measured('ours: onsets + graph walk (metrics, OB edges)', (row) => row.ours));
  nezhaTable.push(measured('z-score (metrics)', (row) => row.z));
  nezhaTable.push(measured('random', (row) => row.random));
  for (const published of NEZHA_PUBLISHED) {
    nezhaTable.push([published.method, ...published.ob.map((v) => v.toFixed(2)), ...published.tt.map((v) => v.toFixed(2)), 'published']);
  }
  out.push(
    markdownTable([`method (OB n=${ob?.n ?? 0}, TT n=${tt?.n ?? 0})`, 'OB @1', 'OB @3', 'OB @5', 'TT @1', 'TT @3', 'TT @5', 'source'], nezhaTable),
    '',
    `Published rows: ${NEZHA_SOURCE} (AS@k, %). Ours, z-score and random: top-k in %, measured in this run. Window: ` +
      `${NEZHA_WINDOW_BEFORE_MS / 60_000} min before to ${NEZHA_WINDOW_AFTER_MS / 60_000} min after \`inject_time\`; baseline: the ${NEZHA_BASELINE_MS / 60_000} min before the window.`,
    '',
  );
  out.push('### Nezha by fault type', '');
  out.push(
    markdownTable(
      ['system · fault', 'n', 'ours @1', 'ours @3', 'z-score @1', 'z-score @3', 'random @1', 'random @3'],
      byFault.map((row) => [row.name, String(row.n), fmt(row.ours[1]), fmt(row.ours[3]), fmt(row.z[1]), fmt(row.z[3]), fmt(row.random[1]), fmt(row.random[3])]),
    ),
    '',
  );
  process.stdout.write(`${out.join('\n')}\n`);

  const path = writeResults('rca', {
    benchmark: 'rca',
    startedAt,
    finishedAt: new Date().toISOString(),
    node: process.version,
    dataRoot: DATA_ROOT,
    flags,
    parameters: { ...PARAMETERS, nezha: { windowBeforeMs: NEZHA_WINDOW_BEFORE_MS, windowAfterMs: NEZHA_WINDOW_AFTER_MS, baselineMs: NEZHA_BASELINE_MS } },
    summary: { petshop: [...petshopRows, total(results.filter((result) => result.dataset === 'PetShop'), 'all')], nezha: nezhaRows, nezhaByFault: byFault },
    published: { petshop: { source: PETSHOP_SOURCE, rows: PETSHOP_PUBLISHED }, nezha: { source: NEZHA_SOURCE, rows: NEZHA_PUBLISHED } },
    cases: results,
  });
  note(`\nraw results: ${path}`);
}

interface GroupRow {
  readonly name: string;
  readonly n: number;
  readonly ours: Readonly<Record<number, number>>;
  readonly z: Readonly<Record<number, number>>;
  readonly random: Readonly<Record<number, number>>;
  readonly oursNoRoot: number;
}

function total(results: readonly CaseResult[], name: string): GroupRow {
  const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length);
  const at = (rank: number | null, k: number) => (rank !== null && rank <= k ? 1 : 0);
  const perK = (pick: (result: CaseResult, k: number) => number) => Object.fromEntries(KS.map((k) => [k, mean(results.map((result) => pick(result, k)))]));
  return {
    name,
    n: results.length,
    ours: perK((result, k) => at(result.ours.rank, k)),
    z: perK((result, k) => at(result.zScore.rank, k)),
    random: perK((result, k) => result.random[`top${k}`]),
    oursNoRoot: mean(results.map((result) => (result.ours.found ? 0 : 1))),
  };
}

function groups(results: readonly CaseResult[], key: (result: CaseResult) => string = (result) => result.group): GroupRow[] {
  const names = [...new Set(results.map(key))];
  return names.map((name) => total(results.filter((result) => key(result) === name), name));
}

const fmt = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : value.toFixed(3));
const pct = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : `${(value * 100).toFixed(value === 0 || value === 1 ? 0 : 1)}%`);
