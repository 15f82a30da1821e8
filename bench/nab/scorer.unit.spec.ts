import { existsSync } from 'node:fs';
import { assertDataset, loadCorpus, nabDir, NabCorpus, PROFILE_NAMES } from './corpus';
import { checkScorer, ScorerCheck, scoreDetector } from './scoreboard';
import { normalizeScore, optimizeThreshold, perRowScores, probationaryLength, scaledSigmoid, scoreAtThreshold, scoresByThreshold, sweepPoints } from './scorer';

const STANDARD = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FN = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };

/** 100 rows one minute apart; a window over rows [60, 69]. Probation is ⌊0.15·100⌋ = 15 rows. */
const timestamps = Array.from({ length: 100 }, (_, i) => Date.UTC(2020, 0, 1) + i * 60_000);
const windows = [{ start: timestamps[60], end: timestamps[69] }];
const scoresWith = (detections: Record<number, number>) => timestamps.map((_, i) => detections[i] ?? 0);

describe('NAB scorer port', () => {
  it('uses the scaled sigmoid: ≈0.987 at a window start, 0 at its end, −1 far behind', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3.01)).toBe(-1);
    expect(probationaryLength(100)).toBe(15);
    expect(probationaryLength(20_000)).toBe(750);
  });

  it('gives a detection at the window start exactly A_TP, and only the earliest detection counts', () => {
    const points = sweepPoints('f', timestamps, scoresWith({ 60: 1, 65: 1 }), windows);
    expect(scoreAtThreshold(points, STANDARD, 0.5).score).toBeCloseTo(1, 12);
    const late = sweepPoints('f', timestamps, scoresWith({ 65: 1 }), windows);
    expect(scoreAtThreshold(late, STANDARD, 0.5).score).toBeCloseTo(scaledSigmoid(-5 / 10) / scaledSigmoid(-1), 12);
  });

  it('charges −A_FN for a missed window and A_FP·σ for false positives, ignoring the probationary rows', () => {
    const points = sweepPoints('f', timestamps, scoresWith({ 5: 1, 30: 1, 75: 1 }), windows);
    const falseAfterWindow = scaledSigmoid((75 - 69) / (10 - 1)) * 0.11;
    expect(scoreAtThreshold(points, STANDARD, 0.5).score).toBeCloseTo(-1 - 0.11 + falseAfterWindow, 12);
    expect(scoreAtThreshold(points, LOW_FN, 0.5).score).toBeCloseTo(-2 - 0.11 + falseAfterWindow, 12);
  });

  it('sweeps thresholds like NAB: every distinct score from 1.1 down, ties to the higher threshold', () => {
    const points = sweepPoints('f', timestamps, scoresWith({ 30: 0.9, 62: 0.8, 80: 0.3 }), windows);
    const rows = scoresByThreshold(points, STANDARD);
    expect(rows.map((row) => row.threshold)).toEqual([1.1, 0.9, 0.8, 0.3, 0]);
    expect(rows[0].score).toBeCloseTo(-1, 12);
    const best = optimizeThreshold(points, STANDARD);
    expect(best.threshold).toBe(0.8);
    expect(best.score).toBeCloseTo(scoreAtThreshold(points, STANDARD, 0.8).score, 12);
    for (const row of rows) expect(scoreAtThreshold(points, STANDARD, row.threshold === 1.1 ? 1.05 : row.threshold).score).toBeCloseTo(row.score, 12);
  });

  it('writes S(t) the way NAB results files do: the window outcome on its first row, false positives on theirs', () => {
    const rows = perRowScores(timestamps, scoresWith({ 30: 1, 65: 1 }), windows, STANDARD, 0.5);
    expect(rows[30]).toBeCloseTo(-0.11, 12);
    expect(rows[60]).toBeCloseTo(scaledSigmoid(-5 / 10) / scaledSigmoid(-1), 12);
    expect(rows.filter((value) => value !== 0)).toHaveLength(2);
  });

  it('normalizes against the null and perfect detectors', () => {
    expect(normalizeScore(-97, -97, 97)).toBe(0);
    expect(normalizeScore(97, -97, 97)).toBe(100);
    expect(normalizeScore(-74.9, -116, 232 - 116)).toBeCloseTo(17.72, 2);
  });

  it('refuses a label that is not a row of the file', () => {
    expect(() => sweepPoints('f', timestamps, scoresWith({}), [{ start: timestamps[60] + 1, end: timestamps[69] }])).toThrow(/does not start and end on rows/);
  });
});

/**
 * End-to-end check against NAB's own output, read from the dataset at run time (never copied into the repo):
 * the golden windowedGaussian per-row anomaly scores, re-scored by this port at NAB's thresholds, must give the
 * published per-file scores, the published S(t) columns, and the normalized scores to ±0.01.
 */
describe('NAB scorer port against the golden windowedGaussian results', () => {
  const dir = nabDir();
  let corpus: NabCorpus;
  let check: ScorerCheck;

  beforeAll(() => {
    assertDataset(dir); // throws "NAB dataset not found: <path> is missing …" when ../shared is absent
    if (!existsSync(`${dir}/results/windowedGaussian`)) throw new Error(`NAB golden results not found: ${dir}/results/windowedGaussian is missing`);
    corpus = loadCorpus(dir);
    check = checkScorer(corpus, 'windowedGaussian');
  }, 120_000);

  it('reads the 51-file tuning corpus with its 97 windows', () => {
    expect(corpus.files).toHaveLength(51);
    expect(corpus.windowCount).toBe(97);
  });

  it.each(PROFILE_NAMES)('reproduces the normalized %s score to ±0.01', (profile) => {
    expect(Math.abs(check.recomputed[profile] - check.published[profile])).toBeLessThanOrEqual(0.01);
  });

  it('reproduces every per-file score and every S(t) row', () => {
    expect(check.maxFileDifference).toBeLessThan(1e-6);
    expect(check.maxRowDifference).toBeLessThan(1e-6);
  });

  it('finds, by its own threshold sweep, a threshold at least as good as NAB’s published one', () => {
    for (const profile of PROFILE_NAMES) expect(check.optimized[profile].normalized).toBeGreaterThanOrEqual(check.recomputed[profile] - 1e-9);
  });

  it('scores the null detector 0 on every profile', () => {
    const silent = scoreDetector(corpus, new Map(corpus.files.map((file) => [file.name, file.values.map(() => 0)])));
    for (const profile of PROFILE_NAMES) expect(silent[profile].normalized).toBeCloseTo(0, 10);
  });
});
