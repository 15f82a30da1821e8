import { poissonTail, RedMinute, RedMonitor, redSignalBand, slowRequestsAtLeast } from './red-monitor';

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

  it('raises a real error burst that follows a harmless stray error (no alert-free stretch after a blip nobody was told about)', () => {
    // A clean series (0 errors), one stray error at minute 45 (unusual, immaterial: not raised), then a third of the
    // requests failing from minute 60. The NAB detector's one-alert-per-episode suppression used to silence the series
    // for 80 minutes after the blip, so the burst scored 0 and was never raised.
    const stray = series(65, (i) => ({ errors: i === 45 ? 1 : i >= 60 ? 200 : 0 }));
    const raised = new RedMonitor().observe(stray).filter((d) => d.type === 'raise' && d.signal === 'error_rate');
    expect(raised.map((d) => d.minute)).toEqual([T0 + 60 * MIN]);
  });

  it('while open, raises again only when the severity gets worse: 6% failing (error), then 40% (critical), then 40% again', () => {
    const worsening = series(66, (i) => ({ errors: i < 60 ? 0 : i < 62 ? 36 : 240 }));
    const raised = new RedMonitor().observe(worsening).filter((d) => d.type === 'raise' && d.signal === 'error_rate');
    expect(raised.map((d) => [d.minute, d.type === 'raise' ? d.severity : undefined])).toEqual([
      [T0 + 60 * MIN, 'error'],
      [T0 + 62 * MIN, 'critical'],
    ]);
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

describe('RedMonitor.preview: a minute still filling, judged on its error rate and a slowdown of most requests, without learning from it', () => {
  const learned = () => {
    const monitor = new RedMonitor();
    monitor.observe(series(60));
    return monitor;
  };
  /** The first 15 s of minute 60: a quarter of the requests, with `errors` of them failing. */
  const partial = (errors: number): RedMinute => ({ ...series(61)[60], requests: 150, errors, p95Ms: 190, p99Ms: 400 });

  it('raises the error rate of a partial minute where a third of the requests fail', () => {
    const decisions = learned().preview([partial(50)]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ type: 'raise', signal: 'error_rate', minute: T0 + 60 * MIN, severity: 'critical' });
  });

  it('never reads a partial minute as a throughput drop, nor its p95/p99 from fewer requests as a slowdown', () => {
    expect(learned().preview([{ ...partial(0), requests: 20, p95Ms: 900, p99Ms: 2000 }])).toEqual([]);
    // One slow request of twenty is the partial minute's p95 and p99; its median is as usual.
    expect(learned().preview([{ ...partial(0), requests: 40, percentilesMs: { 50: 60 }, p95Ms: 900, p99Ms: 2000 }])).toEqual([]);
  });

  it('raises latency_p95 when the median of thirty requests is above the p99 the baseline allows (a dependency 12x slower)', () => {
    const decisions = learned().preview([{ ...partial(0), requests: 30, percentilesMs: { 50: 700 }, p95Ms: 900, p99Ms: 950 }]);
    expect(decisions).toEqual([expect.objectContaining({ type: 'raise', signal: 'latency_p95', minute: T0 + 60 * MIN, actual: 900, severity: 'error' })]);
    if (decisions[0].type !== 'raise') throw new Error('no raise');
    expect(decisions[0].expected).toBeGreaterThan(115);
    expect(decisions[0].expected).toBeLessThan(130);
  });

  it('raises latency_p95 when a quarter of thirty requests is above the p99 the baseline allows (p75 over it, the median not yet)', () => {
    // At least 7 of 30 over a level 1 in 100 requests exceeds: P ≈ 0.3^7/7! ≈ 4e-8, under the default 1e-7.
    const decisions = learned().preview([{ ...partial(0), requests: 30, percentilesMs: { 50: 60, 75: 700, 90: 850 }, p95Ms: 900, p99Ms: 950 }]);
    expect(decisions).toEqual([expect.objectContaining({ type: 'raise', signal: 'latency_p95', actual: 900 })]);
  });

  it('raises latency_p95 when a fifth of seventy-two requests is slow (p80 over the band, p75 not): a fault 15 s before a minute closes', () => {
    const decisions = learned().preview([{ ...partial(0), requests: 72, percentilesMs: { 50: 60, 60: 62, 70: 64, 75: 66, 80: 700, 85: 800, 90: 850 }, p95Ms: 900, p99Ms: 950 }]);
    expect(decisions).toEqual([expect.objectContaining({ type: 'raise', signal: 'latency_p95' })]);
  });

  it('raises latency_p95 when a tenth of a busy partial minute is slow, but not a tenth of forty requests (one stall)', () => {
    const tenthSlow = { percentilesMs: { 50: 60, 75: 65, 90: 700 }, p95Ms: 900, p99Ms: 950 };
    // 20 of 200: P ≈ 2^20/20! ≈ 4e-13.
    expect(learned().preview([{ ...partial(0), ...tenthSlow, requests: 200 }])).toEqual([expect.objectContaining({ type: 'raise', signal: 'latency_p95' })]);
    // 4 of 40: P ≈ 7e-4, what one GC pause does.
    expect(learned().preview([{ ...partial(0), ...tenthSlow, requests: 40 }])).toEqual([]);
  });

  it('does not raise a slowdown from a median just under the baseline p99 band, nor from too few requests to be improbable', () => {
    // The baseline p99 is 200–214 ms: a median of 205 ms is no evidence that half the requests are unusually slow.
    expect(learned().preview([{ ...partial(0), requests: 40, percentilesMs: { 50: 205 }, p95Ms: 400, p99Ms: 600 }])).toEqual([]);
    // Fewer requests than previewSlowdownMinRequests (30): one stall can hold up a handful at once.
    expect(learned().preview([{ ...partial(0), requests: 29, percentilesMs: { 50: 700 }, p95Ms: 900, p99Ms: 950 }])).toEqual([]);
    // Ten requests with five over the p99 (P ≈ 0.1^5/5! = 8e-8) pass the default 1e-7 where the minimum allows them, not 1e-9.
    const lenient = new RedMonitor({ previewSlowdownMinRequests: 10 });
    lenient.observe(series(60));
    expect(lenient.preview([{ ...partial(0), requests: 10, percentilesMs: { 50: 700 }, p95Ms: 900, p99Ms: 950 }])).toHaveLength(1);
    const strict = new RedMonitor({ previewSlowdownMinRequests: 10, previewTailProbability: 1e-9 });
    strict.observe(series(60));
    expect(strict.preview([{ ...partial(0), requests: 10, percentilesMs: { 50: 700 }, p95Ms: 900, p99Ms: 950 }])).toEqual([]);
  });

  it('confirms a slowdown raised from a partial minute with the closed minutes and resolves it after recovery', () => {
    const monitor = learned();
    expect(monitor.preview([{ ...partial(0), requests: 30, percentilesMs: { 50: 700 }, p95Ms: 900, p99Ms: 950 }])).toHaveLength(1);
    expect(monitor.preview([{ ...partial(0), requests: 40, percentilesMs: { 50: 700 }, p95Ms: 900, p99Ms: 950 }])).toEqual([]);
    const closed = monitor.observe(series(75, (i) => (i === 60 ? { p95Ms: 900, p99Ms: 950 } : {})).slice(60)).filter((d) => d.signal === 'latency_p95');
    expect(closed.map((d) => d.type)).toEqual(['raise', 'resolve']);
  });

  it('does not learn from the minute: the closed minute is judged as if the preview had not happened', () => {
    const previewed = learned();
    previewed.preview([partial(1)]);
    expect(previewed.lastMinute('checkout', 'POST /pay')).toBe(T0 + 59 * MIN);
    const next = series(70).slice(60);
    expect(previewed.observe(next)).toEqual(learned().observe(next));
  });

  it('raises once: the closed minutes update the open anomaly and resolve it after recovery', () => {
    const monitor = learned();
    expect(monitor.preview([partial(50)])).toHaveLength(1);
    expect(monitor.preview([{ ...partial(50), requests: 300, errors: 100 }])).toEqual([]);
    const closed = monitor.observe(series(75, (i) => (i === 60 ? { errors: 200 } : {})).slice(60)).filter((d) => d.signal === 'error_rate');
    expect(closed.map((d) => d.type)).toEqual(['raise', 'resolve']);
  });

  it('resolves a preview raise the closed minute did not confirm, after the recovery minutes', () => {
    const monitor = learned();
    monitor.preview([partial(50)]);
    const closed = monitor.observe(series(70).slice(60)).filter((d) => d.signal === 'error_rate');
    expect(closed).toEqual([expect.objectContaining({ type: 'resolve', minute: T0 + 64 * MIN, inBandMinutes: 5 })]);
  });

  it('needs more failures a few requests into the minute of a series that fails now and then than of one that never fails', () => {
    const flaky = new RedMonitor();
    flaky.observe(series(60, (i) => ({ requests: 100, errors: i % 3 })));
    const fewRequests = { ...series(61)[60], requests: 12 };
    expect(flaky.preview([{ ...fewRequests, errors: 3 }])).toEqual([]);
    expect(flaky.preview([{ ...fewRequests, errors: 10 }])).toEqual([expect.objectContaining({ type: 'raise', signal: 'error_rate' })]);
    const neverFails = new RedMonitor();
    neverFails.observe(series(60, () => ({ requests: 100, errors: 0 })));
    expect(neverFails.preview([{ ...fewRequests, errors: 3 }])).toEqual([expect.objectContaining({ type: 'raise', signal: 'error_rate' })]);
  });

  it('says nothing while the series is learning, about minutes already fed, or with too few requests', () => {
    const young = new RedMonitor();
    young.observe(series(20));
    expect(young.preview([{ ...series(21)[20], errors: 300 }])).toEqual([]);
    const monitor = learned();
    expect(monitor.preview([{ ...series(60)[59], errors: 500 }])).toEqual([]);
    expect(monitor.preview([{ ...partial(5), requests: 6 }])).toEqual([]);
  });
});

describe('poissonTail', () => {
  it('is P(X ≥ k) for X ~ Poisson(λ), precise in the far tail', () => {
    expect(poissonTail(0, 2)).toBe(1);
    expect(poissonTail(3, 0)).toBe(0);
    expect(poissonTail(3, 0.1)).toBeCloseTo(1 - Math.exp(-0.1) * (1 + 0.1 + 0.005), 12);
    expect(poissonTail(40, 1) / (Math.exp(-1) / factorial(40))).toBeCloseTo(1, 1);
  });
});

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

describe('slowRequestsAtLeast: how many requests of a minute were at least this slow, from its percentiles', () => {
  const minute: RedMinute = { service: 's', operation: 'o', minute: 0, requests: 100, errors: 0, p95Ms: 40, p99Ms: 50, percentilesMs: { 90: 30, 50: 10, 75: 20 } };

  it('takes the lowest percentile at or over the level, whatever order the source lists them in', () => {
    expect(slowRequestsAtLeast(minute, 10)).toBe(50);
    expect(slowRequestsAtLeast(minute, 15)).toBe(25);
    expect(slowRequestsAtLeast(minute, 30)).toBe(10);
  });

  it('claims none when no percentile reaches the level, or the source gives none', () => {
    expect(slowRequestsAtLeast(minute, 31)).toBe(0);
    expect(slowRequestsAtLeast({ ...minute, percentilesMs: undefined }, 1)).toBe(0);
  });
});
