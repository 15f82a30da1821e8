import { RedMinute, RedMonitor, redSignalBand } from './red-monitor';

const T0 = Date.UTC(2026, 10, 21, 8, 0);
const MIN = 60_000;

/** `count` minutes of steady traffic with a little noise, then whatever `then` returns. */
function series(count: number, shape: (i: number) => Partial<RedMinute> = () => ({})): RedMinute[] {
  return Array.from({ length: count }, (_, i) => ({
    service: 'checkout',
    operation: 'POST /pay',
    minute: T0 + i * MIN,
    requests: 600 + ((i * 37) % 21) - 10,
    errors: (i * 7) % 3,
    p95Ms: 120 + ((i * 13) % 9),
    p99Ms: 200 + ((i * 11) % 15),
    ...shape(i),
  }));
}

describe('RedMonitor', () => {
  it('raises nothing on steady traffic', () => {
    expect(new RedMonitor().observe(series(120))).toEqual([]);
  });

  it('raises a critical error-rate anomaly when a third of requests start failing, with expected and actual', () => {
    const decisions = new RedMonitor().observe(series(62, (i) => (i >= 60 ? { errors: 200 } : {})));
    const raise = decisions.find((d) => d.type === 'raise' && d.signal === 'error_rate');
    expect(raise).toMatchObject({ type: 'raise', service: 'checkout', operation: 'POST /pay', signal: 'error_rate', minute: T0 + 60 * MIN, severity: 'critical' });
    if (raise?.type !== 'raise') throw new Error('no raise');
    expect(raise.actual).toBeGreaterThan(0.3);
    expect(raise.expected).toBeLessThan(0.01);
    expect(raise.score).toBeGreaterThan(0.5);
  });

  it('does not raise during the learning period, however odd the values', () => {
    expect(new RedMonitor().observe(series(29, (i) => (i === 20 ? { errors: 300 } : {})))).toEqual([]);
  });

  it('ignores a statistically unusual but immaterial blip (one extra error on a clean series)', () => {
    const clean = series(80, (i) => ({ errors: i === 70 ? 1 : 0 }));
    expect(new RedMonitor().observe(clean).filter((d) => d.signal === 'error_rate')).toEqual([]);
  });

  it('does not raise when errors fall or latency drops (the good direction)', () => {
    const better = series(80, (i) => (i >= 60 ? { errors: 0, p95Ms: 30, p99Ms: 40 } : { errors: 5 }));
    const raised = new RedMonitor().observe(better).filter((d) => d.type === 'raise' && d.signal !== 'throughput');
    expect(raised).toEqual([]);
  });

  it('raises latency when p99 triples', () => {
    const decisions = new RedMonitor().observe(series(62, (i) => (i >= 60 ? { p99Ms: 900, p95Ms: 600 } : {})));
    expect(decisions.filter((d) => d.type === 'raise').map((d) => d.signal).sort()).toEqual(['latency_p95', 'latency_p99']);
  });

  it('resolves after five consecutive minutes back inside the band, once', () => {
    const episode = series(80, (i) => (i >= 60 && i < 63 ? { errors: 200 } : {}));
    const errorRate = new RedMonitor().observe(episode).filter((d) => d.signal === 'error_rate');
    const resolves = errorRate.filter((d) => d.type === 'resolve');
    expect(resolves).toHaveLength(1);
    expect(resolves[0]).toMatchObject({ minute: T0 + 67 * MIN, inBandMinutes: 5 });
    expect(errorRate.findIndex((d) => d.type === 'resolve')).toBeGreaterThan(errorRate.findIndex((d) => d.type === 'raise'));
  });

  it('ignores minutes too quiet to judge and minutes already seen', () => {
    const monitor = new RedMonitor();
    const history = series(60);
    monitor.observe(history);
    expect(monitor.observe([{ ...history[59], errors: 500 }])).toEqual([]);
    expect(monitor.observe([{ ...history[59], minute: T0 + 60 * MIN, requests: 3, errors: 3 }]).filter((d) => d.signal === 'error_rate')).toEqual([]);
    expect(monitor.lastMinute('checkout', 'POST /pay')).toBe(T0 + 60 * MIN);
  });
});

describe('redSignalBand', () => {
  it('returns each minute with the band the detector held, the spike outside it and the steady minutes inside', () => {
    const points = redSignalBand(series(62, (i) => (i === 61 ? { errors: 200 } : {})), 'error_rate');
    expect(points).toHaveLength(62);
    const last = points[61];
    expect(last.value).toBeGreaterThan(last.upper);
    const steady = points.slice(40, 60);
    expect(steady.every((point) => point.value >= point.lower && point.value <= point.upper)).toBe(true);
    expect(points.every((point) => point.lower >= 0)).toBe(true);
  });
});

describe('RedMonitor with history arriving late', () => {
  it('learns a series from history that arrives after newer minutes, and detects as if it had arrived in order', () => {
    const history = series(62, (i) => (i >= 60 ? { errors: 200 } : {}));
    const inOrder = new RedMonitor().observe(history);
    const late = new RedMonitor();
    // Within the learning period, newer minutes first and the older ones after, then the rest and the fault.
    const early = late.observe([...history.slice(10, 20), ...history.slice(0, 10), ...history.slice(20, 60)]);
    expect(early).toEqual([]);
    expect(late.isLearning('checkout', 'POST /pay')).toBe(false);
    expect(late.observe(history.slice(60))).toEqual(inOrder.filter((d) => d.minute >= T0 + 60 * MIN));
  });

  it('ignores older minutes once the series has learned', () => {
    const monitor = new RedMonitor();
    monitor.observe(series(60));
    expect(monitor.isLearning('checkout', 'POST /pay')).toBe(false);
    expect(monitor.observe([{ ...series(1)[0], errors: 500 }])).toEqual([]);
  });
});
