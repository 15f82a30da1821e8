export interface ChartBar {
  readonly label: string;
  readonly value: number;
  readonly ours?: boolean;
}

/** Horizontal bars on a 0–100 scale, two decimals after each bar; ours marked with ▶. */
export function asciiChart(bars: readonly ChartBar[], title: string, width = 50): string {
  const labelWidth = Math.max(...bars.map((bar) => bar.label.length)) + 2;
  const lines = bars.map((bar) => {
    const length = Math.max(0, Math.round((Math.max(bar.value, 0) / 100) * width));
    return `${(bar.ours ? '▶ ' : '  ') + bar.label.padEnd(labelWidth - 2)} |${'█'.repeat(length)}${' '.repeat(width - length)}| ${bar.value.toFixed(2)}`;
  });
  return [`NAB normalized score, ${title} (0 = null detector, 100 = perfect)`, ...lines].join('\n');
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A grouped horizontal bar chart (one bar per profile) as a standalone SVG. */
export function svgChart<P extends string>(rows: readonly { label: string; scores: Record<P, number>; ours?: boolean }[], profiles: Record<P, string>): string {
  const keys = Object.keys(profiles) as P[];
  const colors = ['#4c78a8', '#f58518', '#54a24b'];
  const barHeight = 8;
  const rowHeight = keys.length * barHeight + 10;
  const left = 190;
  const plotWidth = 480;
  const top = 40;
  const height = top + rows.length * rowHeight + 30;
  const x = (value: number) => left + (Math.max(value, 0) / 100) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + plotWidth + 60}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="13" font-weight="bold">NAB normalized scores (0 = null, 100 = perfect)</text>`,
    ...keys.map((key, k) => `<rect x="${left + k * 110}" y="26" width="10" height="8" fill="${colors[k % colors.length]}"/><text x="${left + k * 110 + 14}" y="34">${escape(profiles[key])}</text>`),
    ...[0, 25, 50, 75, 100].map((tick) => `<line x1="${x(tick)}" y1="${top}" x2="${x(tick)}" y2="${height - 24}" stroke="#ddd"/><text x="${x(tick)}" y="${height - 10}" text-anchor="middle">${tick}</text>`),
  ];
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    parts.push(`<text x="${left - 6}" y="${y + rowHeight / 2 + 2}" text-anchor="end"${row.ours ? ' font-weight="bold"' : ''}>${escape(row.label)}</text>`);
    keys.forEach((key, k) => {
      const value = row.scores[key];
      parts.push(
        `<rect x="${left}" y="${y + k * barHeight + 4}" width="${x(value) - left}" height="${barHeight - 1}" fill="${colors[k % colors.length]}"${row.ours ? ' stroke="#000"' : ''}/>`,
        `<text x="${x(value) + 3}" y="${y + k * barHeight + 11}" font-size="8">${value.toFixed(2)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
