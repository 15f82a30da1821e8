import { SingleBar } from 'cli-progress';

/** A progress bar on stderr (stdout stays clean for results and JSON). */
export function progressBar(label: string): SingleBar {
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
}
