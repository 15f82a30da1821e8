import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CostMatrix, LabelWindow } from './scorer';

/**
 * The NAB corpus as shipped in ../shared/datasets/nab (see its README): read in place at run time, never copied.
 * `NAB_DATASET_DIR` points elsewhere.
 */
export const DEFAULT_NAB_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'nab');

export const PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface NabFile {
  /** `<category>/<name>.csv`, NAB's key for the file. */
  readonly name: string;
  readonly timestamps: number[];
  readonly values: number[];
  readonly windows: LabelWindow[];
}

export interface NabCorpus {
  readonly dir: string;
  /** Only the files the labels list, in label-file order. */
  readonly files: NabFile[];
  readonly profiles: Record<ProfileName, CostMatrix>;
  readonly windowCount: number;
}

export class DatasetMissingError extends Error {}

export function nabDir(): string {
  return process.env.NAB_DATASET_DIR ? resolve(process.env.NAB_DATASET_DIR) : DEFAULT_NAB_DIR;
}

export function assertDataset(dir: string): void {
  for (const part of ['labels/combined_windows.json', 'config/profiles.json', 'data']) {
    if (!existsSync(join(dir, part))) {
      throw new DatasetMissingError(
        `NAB dataset not found: ${join(dir, part)} is missing. Expected the corpus at ${dir} ` +
          '(../shared/datasets/nab next to the repository; set NAB_DATASET_DIR to read it from elsewhere).',
      );
    }
  }
}

/** "2015-02-26 21:42:53" or "2015-02-26 21:42:53.000000" as UTC epoch milliseconds. */
export function parseTimestamp(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(text.trim());
  if (!match) throw new Error(`unparseable timestamp "${text}"`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  const millis = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis);
}

export function readSeries(path: string): { timestamps: number[]; values: number[] } {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const comma = lines[i].indexOf(',');
    timestamps.push(parseTimestamp(lines[i].slice(0, comma)));
    values.push(Number(lines[i].slice(comma + 1)));
  }
  return { timestamps, values };
}

export function loadCorpus(dir = nabDir()): NabCorpus {
  assertDataset(dir);
  const labels = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const profilesJson = JSON.parse(readFileSync(join(dir, 'config', 'profiles.json'), 'utf8')) as Record<ProfileName, { CostMatrix: CostMatrix }>;
  const profiles = Object.fromEntries(PROFILE_NAMES.map((name) => [name, profilesJson[name].CostMatrix])) as Record<ProfileName, CostMatrix>;
  const files = Object.entries(labels).map(([name, windows]) => ({
    name,
    ...readSeries(join(dir, 'data', name)),
    windows: windows.map(([start, end]) => ({ start: parseTimestamp(start), end: parseTimestamp(end) })),
  }));
  return { dir, files, profiles, windowCount: files.reduce((sum, file) => sum + file.windows.length, 0) };
}

export interface PublishedFileScore {
  readonly file: string;
  readonly threshold: number;
  readonly score: number;
}

/** Detectors with per-file `results/<det>/<det>_<profile>_scores.csv` (random's are inconsistent: see the README). */
export function publishedDetectors(dir: string): string[] {
  return readdirSync(join(dir, 'results'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, 'results', entry.name, `${entry.name}_standard_scores.csv`)))
    .map((entry) => entry.name)
    .sort();
}

export function readPublishedScores(dir: string, detector: string, profile: ProfileName): PublishedFileScore[] {
  const lines = readFileSync(join(dir, 'results', detector, `${detector}_${profile}_scores.csv`), 'utf8').split(/\r?\n/);
  const header = lines[0].split(',');
  const column = (name: string) => header.indexOf(name);
  const [file, threshold, score] = [column('File'), column('Threshold'), column('Score')];
  return lines
    .slice(1)
    .filter((line) => line && !line.startsWith('Totals'))
    .map((line) => line.split(','))
    .map((cells) => ({ file: cells[file], threshold: Number(cells[threshold]), score: Number(cells[score]) }));
}

export interface GoldenRow {
  readonly timestamp: number;
  readonly anomalyScore: number;
  readonly label: number;
  readonly scores: Record<ProfileName, number>;
}

/** `results/windowedGaussian/<category>/windowedGaussian_<name>.csv`, the golden per-row output. */
export function readGolden(dir: string, detector: string, file: string): GoldenRow[] {
  const [category, name] = file.split('/');
  const lines = readFileSync(join(dir, 'results', detector, category, `${detector}_${name}`), 'utf8').split(/\r?\n/);
  const header = lines[0].split(',');
  const at = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${file}: golden file has no column ${name}`);
    return index;
  };
  const columns = { timestamp: at('timestamp'), score: at('anomaly_score'), label: at('label') };
  const profileColumns = Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, at(`S(t)_${profile}`)])) as Record<ProfileName, number>;
  return lines
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(','))
    .map((cells) => ({
      timestamp: parseTimestamp(cells[columns.timestamp]),
      anomalyScore: Number(cells[columns.score]),
      label: Number(cells[columns.label]),
      scores: Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, Number(cells[profileColumns[profile]])])) as Record<ProfileName, number>,
    }));
}

export function readThresholds(dir: string): Record<string, Record<ProfileName, { threshold: number; score: number }>> {
  return JSON.parse(readFileSync(join(dir, 'config', 'thresholds.json'), 'utf8')) as Record<string, Record<ProfileName, { threshold: number; score: number }>>;
}
