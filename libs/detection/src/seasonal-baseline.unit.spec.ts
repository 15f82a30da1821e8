import { SeasonalBaseline, SeasonalParams } from './seasonal-baseline';

const PARAMS: SeasonalParams = { periodMs: 86_400_000, maxBuckets: 288, alpha: 0.02, gamma: 0.2, clip: 3, residualWindow: 1000 };
const HOUR = 3_600_000;

describe('SeasonalBaseline', () => {
  it('learns an hourly daily profile from the first day and forecasts the next', () => {
    const baseline = new SeasonalBaseline(PARAMS);
    const profile = (hour: number) => (hour >= 9 && hour < 17 ? 50 : 10);
    for (let h = 0; h <= 24; h++) expect(baseline.update(h * HOUR, profile(h % 24)).expected).toBeUndefined();
    expect(baseline.ready).toBe(true);
    for (let h = 25; h < 24 * 4; h++) {
      const step = baseline.update(h * HOUR, profile(h % 24));
      expect(step.expected).toBeCloseTo(profile(h % 24), 0);
    }
  });

  it('keeps an outlier from becoming the new normal (clipped innovations)', () => {
    const baseline = new SeasonalBaseline(PARAMS);
    let h = 0;
    for (; h < 24 * 5; h++) baseline.update(h * HOUR, 20 + (h % 2));
    const spike = baseline.update(h++ * HOUR, 500);
    expect(spike.z).toBeGreaterThan(50);
    expect(baseline.update(h * HOUR, 20 + (h % 2)).expected).toBeLessThan(25);
  });

  it('treats daily or coarser sampling as non-seasonal', () => {
    const baseline = new SeasonalBaseline(PARAMS);
    for (let d = 0; d < 10; d++) expect(baseline.update(d * 24 * HOUR, d).z).toBe(0);
    expect(baseline.ready).toBe(false);
  });

  it('round-trips its state', () => {
    const baseline = new SeasonalBaseline(PARAMS);
    for (let h = 0; h < 40; h++) baseline.update(h * HOUR, Math.sin(h));
    const copy = new SeasonalBaseline(PARAMS, JSON.parse(JSON.stringify(baseline.snapshot())));
    for (let h = 40; h < 80; h++) expect(copy.update(h * HOUR, Math.cos(h))).toEqual(baseline.update(h * HOUR, Math.cos(h)));
  });
});
