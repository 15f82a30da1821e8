import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createDetector, DEFAULT_PARAMS } from '../../libs/detection/src';
import { flagsUsage, FlagSpec, parseFlags } from '../lib/args';
import { note, progressBar } from '../lib/progress';
import { markdownTable, writeResults } from '../lib/report';
import { loadCorpus, NabCorpus, nabDir, PROFILE_NAMES, ProfileName } from './corpus';
import { asciiChart, svgChart } from './chart';
import { checkScorer, comparableDetectors, ProfileResult, ProfileScores, publishedScores, scoreDetector } from './scoreboard';
import { scoreAtThreshold, sweepPoints } from './scorer';

const FLAGS = {
  'check-scorer': { default: 1, min: 0, integer: true, description: '1: first re-score the golden windowedGaussian rows with the scorer port; 0: skip' },
} satisfies Record<string, FlagSpec>;

export const usage = `npm run bench -- nab [flags]
Runs libs/detection (DEFAULT_PARAMS, one frozen set for every file) over the NAB tuning corpus in
\${NAB_DATASET_DIR:-../shared/datasets/nab}, scores it with the NAB scorer port (threshold optimised per profile,
normalised against the null and perfect detectors) and compares it with the published detectors recomputed on the
same files.
${flagsUsage(FLAGS)}`;

const OURS = 'vigil (libs/detection)';
const PROFILE_HEADERS: Record<ProfileName, string> = { standard: 'standard', reward_low_FP_rate: 'low FP', reward_low_FN_rate: 'low FN' };

export async function run(args: readonly string[]): Promise<void> {
  const flags = parseFlags(args, FLAGS);
  const startedAt = new Date().toISOString();
  note(`loading NAB from ${nabDir()}`);
  const corpus = loadCorpus();
  const rows = corpus.files.reduce((sum, file) => sum + file.values.length, 0);
  note(`${corpus.files.length} files, ${corpus.windowCount} windows, ${rows.toLocaleString('en-US')} rows; node ${process.version}, ${cpus().length} CPUs`);

  const scorerCheck = flags['check-scorer'] ? runScorerCheck(corpus) : undefined;

  const detection = runDetector(corpus);
  const ours = scoreDetector(corpus, detection.scores);
  const published = Object.fromEntries(comparableDetectors(corpus).map((name) => [name, publishedScores(corpus, name)])) as Record<string, ProfileScores>;
  const board: { detector: string; scores: ProfileScores }[] = [
    { detector: OURS, scores: Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, ours[profile].normalized])) as ProfileScores },
    ...Object.entries(published).map(([detector, scores]) => ({ detector, scores })),
  ].sort((a, b) => b.scores.standard - a.scores.standard);

  const artime = published.ARTime?.standard;
  const numenta = published.numenta?.standard;
  const ratio = (value: number, base: number | undefined) => (base ? `${(value / base).toFixed(3)}×` : 'n/a');
  const table = markdownTable(
    ['detector', 'standard', 'low FP', 'low FN', '÷ ARTime (std)', '÷ numenta (std)'],
    board.map(({ detector, scores }) => [
      detector === OURS ? `**${detector}**` : detector,
      ...PROFILE_NAMES.map((profile) => scores[profile].toFixed(2)),
      ratio(scores.standard, artime),
      ratio(scores.standard, numenta),
    ]),
  );
  const categories = categoryBreakdown(corpus, detection.scores, ours.standard.threshold);
  const categoryTable = markdownTable(
    ['category (ours, standard)', 'files', 'windows hit', 'false-positive rows', 'raw score'],
    categories.map((c) => [c.category, String(c.files), `${c.hit}/${c.windows}`, String(c.fp), c.raw.toFixed(2)]),
  );

  const lines = [
    `## NAB — ${corpus.files.length} files, ${corpus.windowCount} windows (normalized: 0 = null detector, 100 = perfect)`,
    '',
    table,
    '',
    `Ours: one parameter set (DEFAULT_PARAMS) for every file; thresholds chosen by the NAB optimize sweep: ` +
      PROFILE_NAMES.map((profile) => `${PROFILE_HEADERS[profile]} ${ours[profile].threshold.toFixed(4)}`).join(', ') +
      ` (frozen anomalous threshold ${DEFAULT_PARAMS.threshold}). Published rows: per-file results summed over the same files.`,
  ];
  if (scorerCheck) {
    lines.push(
      `Scorer port check (${scorerCheck.detector} golden rows, NAB thresholds): ` +
        PROFILE_NAMES.map((profile) => `${PROFILE_HEADERS[profile]} ${scorerCheck.recomputed[profile].toFixed(2)} vs ${scorerCheck.published[profile].toFixed(2)} published`).join(', ') +
        `; max |Δ| per file ${scorerCheck.maxFileDifference.toExponential(1)}, per row S(t) ${scorerCheck.maxRowDifference.toExponential(1)}.`,
    );
  }
  lines.push('', categoryTable, '', asciiChart(board.map(({ detector, scores }) => ({ label: detector, value: scores.standard, ours: detector === OURS })), 'standard profile'));
  process.stdout.write(`${lines.join('\n')}\n`);

  const path = writeResults('nab', {
    benchmark: 'nab',
    startedAt,
    dataset: corpus.dir,
    files: corpus.files.length,
    windows: corpus.windowCount,
    rows,
    params: DEFAULT_PARAMS,
    detectorMs: detection.ms,
    ours,
    published,
    scorerCheck,
    categories,
    perFile: perFileResults(corpus, detection.scores, ours.standard),
  });
  const svgPath = path.replace(/\.json$/, '.svg');
  writeFileSync(svgPath, svgChart(board.map(({ detector, scores }) => ({ label: detector, scores, ours: detector === OURS })), PROFILE_HEADERS));
  note(`results: ${path}\nchart:   ${svgPath}`);
}

function runScorerCheck(corpus: NabCorpus) {
  const bar = progressBar('scorer check (golden rows)', corpus.files.length);
  try {
    return checkScorer(corpus, 'windowedGaussian', (done, file) => bar.update(done, file.name));
  } finally {
    bar.stop();
  }
}

function runDetector(corpus: NabCorpus): { scores: Map<string, number[]>; ms: number } {
  const bar = progressBar('detecting', corpus.files.length);
  const started = process.hrtime.bigint();
  const scores = new Map<string, number[]>();
  try {
    corpus.files.forEach((file, i) => {
      const detector = createDetector(DEFAULT_PARAMS);
      scores.set(file.name, file.values.map((value, row) => detector.update(file.timestamps[row], value).score));
      bar.update(i + 1, file.name);
    });
  } finally {
    bar.stop();
  }
  return { scores, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

interface CategoryResult {
  readonly category: string;
  readonly files: number;
  readonly windows: number;
  readonly hit: number;
  readonly fp: number;
  readonly raw: number;
}

function categoryBreakdown(corpus: NabCorpus, scores: ReadonlyMap<string, readonly number[]>, threshold: number): CategoryResult[] {
  const byCategory = new Map<string, { files: number; windows: number; hit: number; fp: number; raw: number }>();
  for (const file of corpus.files) {
    const category = file.name.split('/')[0];
    const entry = byCategory.get(category) ?? { files: 0, windows: 0, hit: 0, fp: 0, raw: 0 };
    const points = sweepPoints(file.name, file.timestamps, scores.get(file.name) ?? [], file.windows);
    const result = scoreAtThreshold(points, corpus.profiles.standard, threshold);
    const hitWindows = new Set(points.filter((point) => point.window !== null && point.anomalyScore >= threshold).map((point) => point.window));
    entry.files++;
    entry.windows += file.windows.length;
    entry.hit += hitWindows.size;
    entry.fp += result.fp;
    entry.raw += result.score;
    byCategory.set(category, entry);
  }
  return [...byCategory.entries()].map(([category, entry]) => ({ category, ...entry }));
}

function perFileResults(corpus: NabCorpus, scores: ReadonlyMap<string, readonly number[]>, standard: ProfileResult) {
  return corpus.files.map((file) => {
    const points = sweepPoints(file.name, file.timestamps, scores.get(file.name) ?? [], file.windows);
    const result = scoreAtThreshold(points, corpus.profiles.standard, standard.threshold);
    return { file: file.name, windows: file.windows.length, standardScore: result.score, tp: result.tp, fp: result.fp };
  });
}
