const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch milliseconds from the timestamp forms telemetry CSVs use: `2015-02-26 21:42:53` (no zone means UTC, as in
 * NAB), ISO 8601 with `T`, fractions and a zone (`Z`, `+02:00`), or a plain number of epoch seconds (< 10¹¹) or
 * milliseconds. Returns NaN for anything else.
 */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) {
    const number = Number(trimmed);
    return Math.abs(number) < 1e11 ? number * 1000 : number;
  }
  const match = DATE_TIME.exec(trimmed);
  if (!match) return NaN;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction, zone] = match;
  const millis = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  let epoch = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), millis);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    epoch -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return epoch;
}
