import { addMilliseconds, compareInstants, formatInstant, parseInstant } from './instant';

describe('instants without a clock', () => {
  it('parses ISO-8601 instants to the same epoch milliseconds as Date', () => {
    for (const text of ['2024-02-29T23:59:59.999Z', '1970-01-01T00:00:00Z', '2025-06-01T12:30:00+02:00', '1999-12-31T23:00:00.5-05:30', '2100-03-01T00:00Z']) {
      expect(parseInstant(text)).toBe(Date.parse(text));
    }
  });

  it('formats epoch milliseconds exactly like Date.prototype.toISOString', () => {
    let seed = 42;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const ms = (seed / 2 ** 31) * 8e12 - 1e12;
      expect(formatInstant(ms)).toBe(new Date(Math.trunc(ms)).toISOString());
      expect(parseInstant(formatInstant(ms))).toBe(Math.trunc(ms));
    }
  });

  it('refuses texts that are not instants (no zone, impossible dates)', () => {
    for (const text of ['2024-01-01T00:00:00', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', 'yesterday', '2024-01-01T24:00:00Z']) {
      expect(parseInstant(text)).toBeUndefined();
    }
  });

  it('compares instants by time, not by text', () => {
    expect(compareInstants('2024-01-01T00:00:00.500Z', '2024-01-01T00:00:00Z')).toBeGreaterThan(0);
    expect(compareInstants('2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00Z')).toBe(0);
    expect(addMilliseconds('2024-01-01T23:45:00Z', 15 * 60_000)).toBe('2024-01-02T00:00:00.000Z');
  });
});
