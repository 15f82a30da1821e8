import { SingleBar } from 'cli-progress';

export interface Progress {
  update(value: number, status: string): void;
  stop(): void;
}

/**
 * A progress bar on stderr, so stdout carries only the results. Without a TTY (CI, `| tee`) cli-progress
 * prints a plain line every 2 s instead of redrawing.
 */
export function progressBar(label: string, total: number): Progress {
  const bar = new SingleBar({
    format: `${label.padEnd(30)} [{bar}] {percentage}% | {status}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    barsize: 24,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  bar.start(Math.max(total, 1), 0, { status: '' });
  let stopped = false;
  return {
    update: (value, status) => {
      if (!stopped) bar.update(Math.min(value, total), { status });
    },
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

/** A line on stderr for phases without a meaningful total. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
