import { randomInt } from 'node:crypto';
import { chTime, durationText } from '../clickhouse/rows';
import { nanosBetween, unixSeconds } from './unix-nanos';

/** What the span path computed with BigInt before the fast path: the reference. */
const reference = {
  between: (start: string, end: string) => BigInt(end) - BigInt(start),
  seconds: (nanos: string) => Number(BigInt(nanos) / 1_000_000_000n),
  duration: (start: string, end: string) => {
    const duration = BigInt(end) - BigInt(start);
    return (duration > 0n ? duration : 0n).toString();
  },
  chTime: (unixNanos: string) => {
    const digits = /^\d+$/.test(unixNanos) ? unixNanos.replace(/^0+(?=\d)/, '') : '0';
    const padded = digits.padStart(10, '0');
    return `${padded.slice(0, -9)}.${padded.slice(-9)}`;
  },
};

const digits = (length: number) => Array.from({ length }, () => String(randomInt(10))).join('');

describe('UnixNanos arithmetic', () => {
  const now = '1795289967256499000';
  const pairs: Array<[string, string]> = [
    [now, '1795289967258774000'], // 2.275 ms
    ['1795289967258774000', now], // negative
    [now, now],
    ['0', now],
    ['000001795289967', '1795289968'], // leading zeros, fewer than ten digits
    ['5', '999999999'],
    [now, '1795298967256499000'], // 9 000 s apart
    [now, '1804289967256499000'], // 9 000 000 s apart: past the exact double range, BigInt path
    ['1', '999999999999999999999999'], // 24 digits
    ['1', '9999999999999999999999999'], // 25 digits
    ['18446744073709551615', '18446744073709551614'], // uint64 max
  ];

  it.each(pairs)('nanosBetween(%s, %s) equals the BigInt difference', (start, end) => {
    expect(BigInt(nanosBetween(start, end))).toBe(reference.between(start, end));
    expect(durationText(start, end)).toBe(reference.duration(start, end));
  });

  it('agrees with BigInt on random timestamps and gaps of every size', () => {
    for (let i = 0; i < 5_000; i++) {
      const start = `${randomInt(1, 10)}${digits(randomInt(0, 22))}`;
      const end = i % 2 ? `${randomInt(1, 10)}${digits(randomInt(0, 22))}` : (BigInt(start) + BigInt(randomInt(0, 2 ** 47)) * BigInt(randomInt(1, 1000))).toString();
      expect(BigInt(nanosBetween(start, end))).toBe(reference.between(start, end));
      expect(durationText(start, end)).toBe(reference.duration(start, end));
      expect(unixSeconds(start)).toBe(reference.seconds(start));
      expect(chTime(start)).toBe(reference.chTime(start));
    }
  });

  it.each(['', ' 12', '12 ', '0x1f', '1e9', '-5', 'abc', '１２'])('handles %j exactly as BigInt did (same value or same error)', (text) => {
    const outcome = (f: () => unknown) => {
      try {
        return { value: f() };
      } catch (error) {
        return { error: (error as Error).constructor.name };
      }
    };
    expect(outcome(() => BigInt(nanosBetween(text, now)))).toEqual(outcome(() => reference.between(text, now)));
    expect(outcome(() => unixSeconds(text))).toEqual(outcome(() => reference.seconds(text)));
    expect(chTime(text)).toBe(reference.chTime(text));
  });

  it('formats DateTime64(9) text from digits with leading zeros, short values and non-digits as before', () => {
    for (const value of ['0', '000', '0123', '1', '999999999', '1000000000', now, `000${now}`, '18446744073709551615']) {
      expect(chTime(value)).toBe(reference.chTime(value));
    }
    expect(chTime(now)).toBe('1795289967.256499000');
  });
});
