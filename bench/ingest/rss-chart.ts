export interface RssSample {
  /** Seconds since the soak started. */
  readonly atSeconds: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

const mb = (bytes: number) => bytes / 1024 ** 2;

/**
 * RSS over time as an ASCII area chart: one column per time bucket (its max RSS), scaled from the run's min to its max
 * so a slow leak shows as a slope; heap used marked with ·.
 */
export function rssChart(title: string, samples: readonly RssSample[], columns = 60, rows = 12): string {
  if (samples.length === 0) return `${title}\n(no samples)`;
  const per = Math.max(1, Math.ceil(samples.length / columns));
  const buckets: RssSample[][] = [];
  for (let i = 0; i < samples.length; i += per) buckets.push(samples.slice(i, i + per));
  const values = samples.flatMap((sample) => [mb(sample.rssBytes), mb(sample.heapUsedBytes)]);
  const top = Math.max(...values);
  const bottom = Math.max(0, Math.min(...values) - (top - Math.min(...values)) * 0.1);
  const scale = (value: number) => Math.round(((value - bottom) / Math.max(1e-9, top - bottom)) * rows);
  const rssHeights = buckets.map((bucket) => scale(Math.max(...bucket.map((sample) => mb(sample.rssBytes)))));
  const heapHeights = buckets.map((bucket) => scale(Math.max(...bucket.map((sample) => mb(sample.heapUsedBytes)))));
  const lines: string[] = [];
  for (let row = rows; row >= 1; row--) {
    const label = row === rows ? `${top.toFixed(0)} MB` : row === Math.ceil(rows / 2) ? `${(bottom + ((top - bottom) * row) / rows).toFixed(0)} MB` : '';
    lines.push(`${label.padStart(9)} ┤${buckets.map((_, i) => (rssHeights[i] >= row ? '█' : heapHeights[i] === row ? '·' : ' ')).join('')}`);
  }
  const lastSecond = samples[samples.length - 1].atSeconds;
  lines.push(`${`${bottom.toFixed(0)} MB`.padStart(9)} └${'─'.repeat(buckets.length)} 0 → ${lastSecond.toFixed(0)} s (${per} s per column; █ RSS, · V8 heap used)`);
  return [title, ...lines].join('\n');
}

/** Least-squares slope of RSS (MB per minute) over the given samples. */
export function rssSlopeMbPerMinute(samples: readonly RssSample[]): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((sample) => sample.atSeconds / 60);
  const ys = samples.map((sample) => mb(sample.rssBytes));
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < xs.length; i++) {
    numerator += (xs[i] - meanX) * (ys[i] - meanY);
    denominator += (xs[i] - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}
