/** Small pure formatters shared by the screens. */

/** `1h 02m 03s`, `4m 05s`, `9s` for a non-negative duration in ms. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** Words for the time left before the next escalation. */
export function countdownText(deadline: string | null | undefined, now: number): { text: string; overdue: boolean } {
  if (!deadline) return { text: 'no deadline', overdue: false };
  const left = Date.parse(deadline) - now;
  if (Number.isNaN(left)) return { text: 'no deadline', overdue: false };
  return left >= 0 ? { text: `escalates in ${formatDuration(left)}`, overdue: false } : { text: `deadline passed ${formatDuration(-left)} ago`, overdue: true };
}

/** The first characters of a hash (hex, optionally `sha256:`-prefixed). */
export function hashPrefix(hash: string | null | undefined, length = 12): string {
  if (!hash) return '—';
  return hash.replace(/^sha256:/, '').slice(0, length);
}

/** A parameter value as text: strings as they are, everything else as JSON. */
export function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/** Parses what a user typed for a parameter, keeping the original value's type where it can. */
export function parseParam(text: string, original: unknown): unknown {
  const trimmed = text.trim();
  if (typeof original === 'string') return text;
  if (typeof original === 'number') {
    const n = Number(trimmed);
    if (trimmed === '' || Number.isNaN(n)) throw new Error(`"${text}" is not a number`);
    return n;
  }
  if (typeof original === 'boolean') {
    if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
    throw new Error(`"${text}" is not true or false`);
  }
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

/** Local, readable date-time with seconds; the ISO text stays in the title attribute. */
export function timeText(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const roleList = (roles: readonly string[]): string => (roles.length ? roles.join(', ') : 'no role');
