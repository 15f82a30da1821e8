/** Between ISO-8601 instants and the browser's `datetime-local` inputs (local wall-clock time, to the second). */

export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The instant just before `iso` (1 ms earlier): the state an event's author saw. */
export const justBefore = (iso: string): string => new Date(Date.parse(iso) - 1).toISOString();

/** The instant just after `iso` (1 ms later; the server keeps microseconds, the API shows milliseconds). */
export const justAfter = (iso: string): string => new Date(Date.parse(iso) + 1).toISOString();
