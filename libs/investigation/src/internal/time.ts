import { parseInstant } from '@vigil/domain/shared';

/** Epoch milliseconds, or an ISO-8601 instant with a zone (`Z` / `±hh:mm`): what the query adapters will hand over. */
export type InstantInput = number | string;

/** Epoch milliseconds of an instant; throws on text that is not an ISO-8601 instant with a zone. */
export function toMillis(value: InstantInput, field = 'instant'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${field}: not a finite instant`);
    return value;
  }
  const millis = parseInstant(value);
  if (millis === undefined) throw new RangeError(`${field}: "${value}" is not an ISO-8601 instant with a zone`);
  return millis;
}

export const MINUTE_MS = 60_000;

/** "3 min", "45 s", "2 h 5 min": for summaries a human reads. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE_MS) return `${Math.round(abs / 1000)} s`;
  const minutes = Math.round(abs / MINUTE_MS);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
