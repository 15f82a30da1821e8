import { NabCorpus, NabFile, PROFILE_NAMES, ProfileName, publishedDetectors, readGolden, readPublishedScores, readThresholds } from './corpus';
import { normalizeScore, optimizeThreshold, perRowScores, scoreAtThreshold, ScorablePoint, sweepPoints } from './scorer';

export type ProfileScores = Record<ProfileName, number>;

export interface ProfileResult {
  readonly threshold: number;
  readonly raw: number;
  readonly normalized: number;
  readonly tp: number;
  readonly fp: number;
}

/** The null detector (never fires) scores −A_FN per window; the perfect one A_TP per window. */
export function nullAndPerfect(corpus: NabCorpus, profile: ProfileName): { nullScore: number; perfectScore: number } {
  const cost = corpus.profiles[profile];
  return { nullScore: -cost.fnWeight * corpus.windowCount, perfectScore: cost.tpWeight * corpus.windowCount };
}

export function sweepCorpus(corpus: NabCorpus, scores: ReadonlyMap<string, readonly number[]>): ScorablePoint[] {
  const points: ScorablePoint[] = [];
  for (const file of corpus.files) {
    const fileScores = scores.get(file.name);
    if (!fileScores) throw new Error(`no scores for ${file.name}`);
    for (const point of sweepPoints(file.name, file.timestamps, fileScores, file.windows)) points.push(point);
  }
  return points;
}

/** NAB's optimize + score + normalize steps for one detector's per-row scores over the corpus. */
export function scoreDetector(corpus: NabCorpus, scores: ReadonlyMap<string, readonly number[]>): Record<ProfileName, ProfileResult> {
  const points = sweepCorpus(corpus, scores);
  const result = {} as Record<ProfileName, ProfileResult>;
  for (const profile of PROFILE_NAMES) {
    const cost = corpus.profiles[profile];
    const { threshold } = optimizeThreshold(points, cost);
    const at = scoreAtThreshold(points, cost, threshold);
    const { nullScore, perfectScore } = nullAndPerfect(corpus, profile);
    result[profile] = { threshold, raw: at.score, normalized: normalizeScore(at.score, nullScore, perfectScore), tp: at.tp, fp: at.fp };
  }
  return result;
}

/** A published detector's normalized scores on exactly the corpus's files: its per-file rows summed. */
export function publishedScores(corpus: NabCorpus, detector: string): ProfileScores {
  const names = new Set(corpus.files.map((file) => file.name));
  const out = {} as ProfileScores;
  for (const profile of PROFILE_NAMES) {
    const rows = readPublishedScores(corpus.dir, detector, profile).filter((row) => names.has(row.file));
    if (rows.length !== names.size) throw new Error(`${detector} ${profile}: ${rows.length} of ${names.size} files have published scores`);
    const { nullScore, perfectScore } = nullAndPerfect(corpus, profile);
    out[profile] = normalizeScore(
      rows.reduce((sum, row) => sum + row.score, 0),
      nullScore,
      perfectScore,
    );
  }
  return out;
}

/** Published detectors whose per-file results are usable (random's are inconsistent, see the dataset README). */
export function comparableDetectors(corpus: NabCorpus): string[] {
  return publishedDetectors(corpus.dir).filter((name) => name !== 'random' && name !== 'null');
}

export interface ScorerCheck {
  readonly detector: string;
  /** Normalized score recomputed by our scorer from the golden per-row anomaly scores at NAB's thresholds. */
  readonly recomputed: ProfileScores;
  /** The same from the published per-file `Score` column. */
  readonly published: ProfileScores;
  /** Largest |our per-file Score − published per-file Score| over files and profiles. */
  readonly maxFileDifference: number;
  /** Largest |our S(t) − golden S(t)| over rows, files and profiles. */
  readonly maxRowDifference: number;
  /** Our own optimize sweep over the golden rows: threshold and normalized score per profile. */
  readonly optimized: Record<ProfileName, { threshold: number; normalized: number }>;
}

/**
 * Re-scores the golden `windowedGaussian` per-row output with our port: the `S(t)_<profile>` columns row by row,
 * each file's `Score` at `config/thresholds.json`'s threshold, and the normalized corpus score.
 */
export function checkScorer(corpus: NabCorpus, detector = 'windowedGaussian', onFile?: (done: number, file: NabFile) => void): ScorerCheck {
  const thresholds = readThresholds(corpus.dir)[detector];
  const published = new Map(PROFILE_NAMES.map((profile) => [profile, new Map(readPublishedScores(corpus.dir, detector, profile).map((row) => [row.file, row.score]))]));
  const totals = Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, 0])) as ProfileScores;
  let maxFileDifference = 0;
  let maxRowDifference = 0;
  const allPoints: ScorablePoint[] = [];
  corpus.files.forEach((file, done) => {
    const golden = readGolden(corpus.dir, detector, file.name);
    const timestamps = golden.map((row) => row.timestamp);
    const anomalyScores = golden.map((row) => row.anomalyScore);
    const points = sweepPoints(file.name, timestamps, anomalyScores, file.windows);
    for (const point of points) allPoints.push(point);
    for (const profile of PROFILE_NAMES) {
      const cost = corpus.profiles[profile];
      const threshold = thresholds[profile].threshold;
      const score = scoreAtThreshold(points, cost, threshold).score;
      totals[profile] += score;
      maxFileDifference = Math.max(maxFileDifference, Math.abs(score - (published.get(profile)?.get(file.name) ?? NaN)));
      perRowScores(timestamps, anomalyScores, file.windows, cost, threshold).forEach((value, i) => {
        maxRowDifference = Math.max(maxRowDifference, Math.abs(value - golden[i].scores[profile]));
      });
    }
    onFile?.(done + 1, file);
  });
  const recomputed = {} as ProfileScores;
  const optimized = {} as ScorerCheck['optimized'];
  for (const profile of PROFILE_NAMES) {
    const { nullScore, perfectScore } = nullAndPerfect(corpus, profile);
    recomputed[profile] = normalizeScore(totals[profile], nullScore, perfectScore);
    const best = optimizeThreshold(allPoints, corpus.profiles[profile]);
    optimized[profile] = { threshold: best.threshold, normalized: normalizeScore(best.score, nullScore, perfectScore) };
  }
  return { detector, recomputed, published: publishedScores(corpus, detector), maxFileDifference, maxRowDifference, optimized };
}
