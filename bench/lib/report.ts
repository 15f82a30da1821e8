import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12345.6 → "12,346" */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** 0.834 → "0.83×" */
export function formatRatio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** A GitHub-flavoured markdown table with padded columns (readable raw, renders anywhere). */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((width, i) => (cells[i] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** Horizontal bars scaled to the largest value, value printed after each bar. Blank labels make spacer lines. */
export function barChart(title: string, bars: readonly Bar[], unit: string, width = 50): string {
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  const labelWidth = Math.max(...bars.map((bar) => bar.label.length));
  const lines = bars.map((bar) => {
    if (!bar.label) return '';
    const length = Math.max(bar.value > 0 ? 1 : 0, Math.round((bar.value / max) * width));
    return `${bar.label.padEnd(labelWidth)} |${'█'.repeat(length)}${' '.repeat(width - length)}| ${formatCount(bar.value)} ${unit}`;
  });
  return [title, ...lines].join('\n');
}

/** Writes raw results next to the benchmarks (bench/results/ is gitignored); returns the path. */
export function writeResults(benchmark: string, results: unknown): string {
  const directory = join(__dirname, '..', 'results');
  mkdirSync(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(directory, `${benchmark}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(results, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`);
  return path;
}

/** Percentile of an ascending-sorted sample (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
