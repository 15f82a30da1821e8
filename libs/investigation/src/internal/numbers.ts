/** 0.873 → "87%", 0.004 → "0.4%": shares as a human reads them in a summary. */
export function formatShare(share: number): string {
  const percent = share * 100;
  if (percent === 0) return '0%';
  if (percent < 1) return `${percent.toFixed(1)}%`;
  return `${Math.round(percent)}%`;
}

export const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);

/** Rounds for evidence payloads (stable JSON, no 0.30000000000000004). */
export const round = (value: number, digits = 4): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** 1 − Π(1 − pᵢ): the chance that at least one independent piece of evidence is right. */
export function noisyOr(probabilities: readonly number[]): number {
  return 1 - probabilities.reduce((miss, p) => miss * (1 - clamp01(p)), 1);
}

export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Ascending copy without NaN / ±Infinity. */
export function finiteSorted(values: readonly number[]): number[] {
  return values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
}
