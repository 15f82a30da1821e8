/**
 * A duration as written in configuration: a number of minutes (`15`), a short form (`'90s'`, `'15m'`, `'1h30m'`,
 * `'2d'`) or an ISO-8601 duration without years or months (`'PT1H30M'`, `'P1D'`).
 */
export type Duration = number | string;

const SHORT = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds, or `undefined` when `value` is not a duration (negative, non-finite, or unknown text). */
export function durationToMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 60_000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = SHORT.exec(text) ?? ISO.exec(text.toUpperCase());
  if (!match || text === '' || text.toUpperCase() === 'P' || text.toUpperCase().endsWith('T')) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000;
}
