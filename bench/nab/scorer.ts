/**
 * A port of NAB's scoring (numenta/NAB `nab/sweeper.py`, the v1.0+ scorer, and the threshold sweep of
 * `nab/optimizer.py`), written from its published behaviour. Everything here is pure: rows in, numbers out.
 *
 * - Each row gets a *sweep score* as if it were a detection: inside a window, the scaled sigmoid of its position
 *   (−1 at the window's first row) divided by σ(−1) and times A_TP; outside, the scaled sigmoid of its distance
 *   past the preceding window's right edge (in window widths − 1) times A_FP, or −A_FP with no preceding window.
 * - Rows in the probationary period (the first min(⌊0.15·n⌋, 750) rows) are dropped.
 * - Sweeping thresholds from high to low, a window contributes the best sweep score among its detected rows, or
 *   −A_FN when none is detected; every detection outside a window adds its (≤ 0) sweep score.
 */

export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** An anomaly window, inclusive on both ends, as epoch milliseconds that must be timestamps of the file's rows. */
export interface LabelWindow {
  readonly start: number;
  readonly end: number;
}

export const PROBATION_PERCENT = 0.15;

/** `window` is the window's name, `null` outside every window; probationary rows are not represented. */
export interface ScorablePoint {
  readonly anomalyScore: number;
  /** Unweighted scaled sigmoid: divide-by-σ(−1) already applied inside windows; multiply by A_TP or A_FP. */
  readonly sigmoid: number;
  readonly window: string | null;
}

export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly total: number;
}

/** 2·sigmoid(−5y) − 1, and exactly −1 for y > 3 (far behind a window). */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

export function probationaryLength(rows: number, probationPercent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
}

/** Row index of every window edge; throws when a label names a timestamp the file does not have. */
function windowIndices(timestamps: readonly number[], windows: readonly LabelWindow[], file: string): { left: number; right: number }[] {
  const indexOf = new Map<number, number>();
  timestamps.forEach((timestamp, i) => {
    if (!indexOf.has(timestamp)) indexOf.set(timestamp, i);
  });
  return [...windows]
    .sort((a, b) => a.start - b.start)
    .map((window) => {
      const left = indexOf.get(window.start);
      const right = indexOf.get(window.end);
      if (left === undefined || right === undefined) {
        throw new Error(`${file}: window ${new Date(window.start).toISOString()}…${new Date(window.end).toISOString()} does not start and end on rows of the file`);
      }
      return { left, right };
    });
}

/**
 * Per-row sweep scores of one file (NAB `calcSweepScore`), probationary rows removed. Window names are
 * `<file>|<start index>` so points of many files can be swept together.
 */
export function sweepPoints(
  file: string,
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windows: readonly LabelWindow[],
  probationPercent = PROBATION_PERCENT,
): ScorablePoint[] {
  if (timestamps.length !== anomalyScores.length) throw new Error(`${file}: ${timestamps.length} timestamps but ${anomalyScores.length} scores`);
  const edges = windowIndices(timestamps, windows, file);
  const probation = probationaryLength(timestamps.length, probationPercent);
  const points: ScorablePoint[] = [];
  let next = 0;
  let current: { left: number; right: number; name: string } | undefined;
  let previous: { right: number; width: number } | undefined;
  for (let i = 0; i < timestamps.length; i++) {
    if (!current && next < edges.length && edges[next].left === i) {
      current = { ...edges[next], name: `${file}|${edges[next].left}` };
      next++;
    }
    let sigmoid: number;
    if (current) {
      const width = current.right - current.left + 1;
      sigmoid = scaledSigmoid(-(current.right - i + 1) / width) / MAX_TP;
    } else if (previous) {
      sigmoid = scaledSigmoid(Math.abs(previous.right - i) / (previous.width - 1));
    } else {
      sigmoid = -1;
    }
    if (i >= probation) points.push({ anomalyScore: anomalyScores[i], sigmoid, window: current ? current.name : null });
    if (current && i === current.right) {
      previous = { right: current.right, width: current.right - current.left + 1 };
      current = undefined;
    }
  }
  return points;
}

/**
 * NAB `calcScoreByThreshold`: the score at every distinct anomaly score, from 1.1 (nothing detected) downwards.
 * Row `threshold: t` counts every point with anomalyScore ≥ t as a detection.
 */
export function scoresByThreshold(points: readonly ScorablePoint[], cost: CostMatrix): ThresholdScore[] {
  const sorted = [...points].sort((a, b) => b.anomalyScore - a.anomalyScore);
  const windowScores = new Map<string, number>();
  for (const point of sorted) if (point.window !== null) windowScores.set(point.window, -cost.fnWeight);
  let windowTotal = -cost.fnWeight * windowScores.size;
  let fpTotal = 0;
  let tn = 0;
  let fn = 0;
  for (const point of sorted) {
    if (point.window === null) tn++;
    else fn++;
  }
  let tp = 0;
  let fp = 0;
  let threshold = 1.1;
  const out: ThresholdScore[] = [];
  const emit = () => out.push({ threshold, score: fpTotal + windowTotal, tp, tn, fp, fn, total: tp + tn + fp + fn });
  for (const point of sorted) {
    if (point.anomalyScore !== threshold) {
      emit();
      threshold = point.anomalyScore;
    }
    if (point.window === null) {
      fp++;
      tn--;
      fpTotal += point.sigmoid * cost.fpWeight;
    } else {
      tp++;
      fn--;
      const best = windowScores.get(point.window) as number;
      const candidate = point.sigmoid * cost.tpWeight;
      if (candidate > best) {
        windowScores.set(point.window, candidate);
        windowTotal += candidate - best;
      }
    }
  }
  emit();
  return out;
}

/** NAB `scoreDataSet`'s matching row: every point with anomalyScore ≥ threshold is a detection. */
export function scoreAtThreshold(points: readonly ScorablePoint[], cost: CostMatrix, threshold: number): ThresholdScore {
  const windows = new Map<string, number>();
  let fpTotal = 0;
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (const point of points) {
    const detected = point.anomalyScore >= threshold;
    if (point.window === null) {
      if (detected) {
        fp++;
        fpTotal += point.sigmoid * cost.fpWeight;
      } else tn++;
      continue;
    }
    if (!windows.has(point.window)) windows.set(point.window, -cost.fnWeight);
    if (detected) {
      tp++;
      windows.set(point.window, Math.max(windows.get(point.window) as number, point.sigmoid * cost.tpWeight));
    } else fn++;
  }
  let score = fpTotal;
  for (const value of windows.values()) score += value;
  return { threshold, score, tp, tn, fp, fn, total: tp + tn + fp + fn };
}

/**
 * NAB's optimize step: one threshold for the whole corpus, the distinct anomaly score whose detections give the
 * highest total raw score (ties go to the higher threshold, as NAB's stable sort does).
 */
export function optimizeThreshold(points: readonly ScorablePoint[], cost: CostMatrix): { threshold: number; score: number } {
  let best: ThresholdScore | undefined;
  for (const row of scoresByThreshold(points, cost)) if (!best || row.score > best.score) best = row;
  if (!best) throw new Error('no points to optimise over');
  return { threshold: best.threshold, score: best.score };
}

/** 100·(S − S_null)/(S_perfect − S_null), NAB's `normalize` step. */
export function normalizeScore(raw: number, nullScore: number, perfectScore: number): number {
  return (100 * (raw - nullScore)) / (perfectScore - nullScore);
}

/**
 * The `S(t)_<profile>` column NAB writes into each results file (`nab/scorer.py` `Scorer.getScore`): each
 * window's contribution on the window's first row (the best detection's weighted sigmoid, or −A_FN), each false
 * positive's on its own row, 0 elsewhere and throughout the probationary period.
 */
export function perRowScores(
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windows: readonly LabelWindow[],
  cost: CostMatrix,
  threshold: number,
  probationPercent = PROBATION_PERCENT,
): number[] {
  const edges = windowIndices(timestamps, windows, 'file');
  const probation = probationaryLength(timestamps.length, probationPercent);
  const rows = new Array<number>(timestamps.length).fill(0);
  const detected = (i: number) => i >= probation && anomalyScores[i] >= threshold;
  for (const { left, right } of edges) {
    let first = -1;
    for (let i = left; i <= right && first < 0; i++) if (detected(i)) first = i;
    const width = right - left + 1;
    rows[left] = first < 0 ? -cost.fnWeight : (scaledSigmoid(-(right - first + 1) / width) * cost.tpWeight) / MAX_TP;
  }
  let edge = -1;
  for (let i = 0; i < timestamps.length; i++) {
    while (edge + 1 < edges.length && edges[edge + 1].right < i) edge++;
    const inside = edges.some(({ left, right }) => i >= left && i <= right);
    if (inside || !detected(i)) continue;
    if (edge < 0) rows[i] = -cost.fpWeight;
    else {
      const { left, right } = edges[edge];
      rows[i] = scaledSigmoid(Math.abs(right - i) / (right - left)) * cost.fpWeight;
    }
  }
  return rows;
}
