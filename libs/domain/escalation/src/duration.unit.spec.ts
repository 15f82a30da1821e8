import { durationToMs } from './duration';

describe('durations in configuration', () => {
  it('reads a number as minutes', () => expect(durationToMs(15)).toBe(15 * 60_000));
  it('reads short forms and ISO-8601 durations', () => {
    expect(durationToMs('90s')).toBe(90_000);
    expect(durationToMs('1h30m')).toBe(90 * 60_000);
    expect(durationToMs('PT2H')).toBe(2 * 3_600_000);
    expect(durationToMs('P1D')).toBe(86_400_000);
  });
  it('refuses negative numbers and unknown text', () => {
    for (const bad of [-1, Number.NaN, '', 'soon', '15 minutes', 'P', 'PT', null]) expect(durationToMs(bad)).toBeUndefined();
  });
});
