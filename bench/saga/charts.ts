import { percentile } from '../lib/report';

export interface LatencyStats {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
  };
}

/** 12.345 → "12.3"; ≥ 100 → "123" */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/**
 * A horizontal ASCII histogram of latencies in `buckets` equal bins from 0 to the 99th percentile (rounded up to
 * a tidy width); the rest land in a last "≥" bin. Counts after each bar.
 */
export function histogram(title: string, samples: readonly number[], buckets = 16, width = 40): string {
  if (samples.length === 0) return `${title}\n(no samples)`;
  const sorted = [...samples].sort((a, b) => a - b);
  const top = Math.max(1, percentile(sorted, 99));
  const step = tidy(top / buckets);
  const counts = new Array<number>(buckets + 1).fill(0);
  for (const value of sorted) counts[Math.min(buckets, Math.floor(value / step))]++;
  while (counts.length > 1 && counts[counts.length - 1] === 0) counts.pop();
  const max = Math.max(...counts);
  const labels = counts.map((_, i) => (i === buckets ? `≥ ${ms(i * step)}` : `${ms(i * step)}–${ms((i + 1) * step)}`));
  const labelWidth = Math.max(...labels.map((label) => label.length));
  const lines = counts.map((count, i) => {
    const length = count === 0 ? 0 : Math.max(1, Math.round((count / max) * width));
    return `${labels[i].padStart(labelWidth)} ms |${'█'.repeat(length)}${' '.repeat(width - length)}| ${count}`;
  });
  return [title, ...lines].join('\n');
}

/**
 * Latency over the run: samples in order, cut into `columns` groups; each column is one group's median (█) up to
 * its max (│), on a scale from 0 to the run's max. Shows drift, warm-up and periodic stalls (a reconciler pass…).
 */
export function timeline(title: string, samples: readonly number[], columns = 60, rows = 10): string {
  if (samples.length === 0) return `${title}\n(no samples)`;
  const groups: number[][] = [];
  const per = Math.max(1, Math.ceil(samples.length / columns));
  for (let i = 0; i < samples.length; i += per) groups.push([...samples.slice(i, i + per)].sort((a, b) => a - b));
  const top = Math.max(...samples);
  const scale = (value: number) => Math.round((value / top) * rows);
  const medians = groups.map((group) => scale(percentile(group, 50)));
  const maxima = groups.map((group) => scale(group[group.length - 1]));
  const lines: string[] = [];
  for (let row = rows; row >= 1; row--) {
    const label = row === rows ? `${ms(top)} ms` : row === Math.ceil(rows / 2) ? `${ms((top * row) / rows)} ms` : '';
    lines.push(`${label.padStart(9)} ┤${groups.map((_, i) => (medians[i] >= row ? '█' : maxima[i] >= row ? '│' : ' ')).join('')}`);
  }
  lines.push(`${'0 ms'.padStart(9)} └${'─'.repeat(groups.length)} sample 1 → ${samples.length} (${per} per column; █ median, │ max)`);
  return [title, ...lines].join('\n');
}

function tidy(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (value <= factor * magnitude) return factor * magnitude;
  return 10 * magnitude;
}
