import { RedMinute } from './red-monitor';
import { ALL_SERVICES, SloMonitor } from './slo-monitor';

const T0 = Date.UTC(2026, 10, 21, 8, 0);
const MIN = 60_000;
const minute = (i: number, service: string, errors: number, p99Ms = 150): RedMinute => ({ service, operation: 'GET /', minute: T0 + i * MIN, requests: 1000, errors, p95Ms: 100, p99Ms });

describe('SloMonitor (multi-window burn rates of a 30-day SLO)', () => {
  const availability = { name: 'availability-99.9', kind: 'availability' as const, service: ALL_SERVICES, target: 0.999 };

  it('stays quiet while errors stay within the budget', () => {
    const monitor = new SloMonitor([availability]);
    expect(monitor.observe(Array.from({ length: 90 }, (_, i) => minute(i, 'cart', 0)))).toEqual([]);
  });

  it('pages (critical) when both the 1 h and 5 m windows burn faster than 14.4×, for the service that burns', () => {
    const monitor = new SloMonitor([availability]);
    monitor.observe(Array.from({ length: 60 }, (_, i) => minute(i, 'cart', 0)));
    const decisions = monitor.observe([minute(60, 'cart', 1000), minute(60, 'search', 0)]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ type: 'raise', severity: 'critical', slo: { service: 'cart' }, alert: { name: '1h/5m', firing: true } });
  });

  it('keeps the ticket-level alert while the 6 h window still holds the burst, and resolves once no pair fires', () => {
    const monitor = new SloMonitor([availability]);
    monitor.observe(Array.from({ length: 360 }, (_, i) => minute(i, 'cart', 0)));
    monitor.observe([minute(360, 'cart', 1000)]);
    const hourLater = monitor.observe(Array.from({ length: 70 }, (_, i) => minute(361 + i, 'cart', 0)));
    expect(hourLater.at(-1)).toMatchObject({ type: 'raise', severity: 'warning', alert: { name: '3d/6h' } });
    const later = monitor.observe(Array.from({ length: 300 }, (_, i) => minute(431 + i, 'cart', 0)));
    expect(later.filter((d) => d.type === 'resolve')).toHaveLength(1);
  });

  it('does not raise a pair before the fed minutes span its short window: two errors in a new service\'s first 40 minutes are no 3-day ticket', () => {
    // 36 requests a minute: two errors in 40 minutes burn 1.4× the budget, over the ticket pair's 1× in both of its
    // windows if 40 minutes stood for 3 days and 6 hours.
    const low = (i: number, errors: number): RedMinute => ({ service: 'provider', operation: 'POST /charge', minute: T0 + i * MIN, requests: 36, errors, p95Ms: 100, p99Ms: 150 });
    const young = new SloMonitor([availability]);
    expect(young.observe(Array.from({ length: 40 }, (_, i) => low(i, i === 12 || i === 31 ? 1 : 0)))).toEqual([]);
    // The same 40 minutes after six clean hours are within the budget; six hours of such a burn are not.
    const established = new SloMonitor([availability]);
    established.observe(Array.from({ length: 360 }, (_, i) => low(i, 0)));
    expect(established.observe(Array.from({ length: 40 }, (_, i) => low(360 + i, i === 12 || i === 31 ? 1 : 0)))).toEqual([]);
    const burning = new SloMonitor([availability]);
    const decisions = burning.observe(Array.from({ length: 400 }, (_, i) => low(i, i % 20 === 0 ? 1 : 0)));
    expect(decisions.at(-1)).toMatchObject({ type: 'raise', severity: 'warning', alert: { name: '3d/6h' } });
  });

  it('counts latency as minutes whose p99 misses the threshold', () => {
    const latency = { name: 'latency-300ms', kind: 'latency' as const, service: 'cart', target: 0.99, thresholdMs: 300 };
    const monitor = new SloMonitor([latency]);
    monitor.observe(Array.from({ length: 60 }, (_, i) => minute(i, 'cart', 0)));
    const decisions = monitor.observe(Array.from({ length: 6 }, (_, i) => minute(60 + i, 'cart', 0, 900)));
    expect(decisions.some((d) => d.type === 'raise' && d.severity === 'critical')).toBe(true);
  });
});

describe('SloMonitor idempotence', () => {
  it('counts a minute fed twice (a re-read window) once', () => {
    const availability = { name: 'availability-99.9', kind: 'availability' as const, service: ALL_SERVICES, target: 0.999 };
    const once = new SloMonitor([availability]);
    const twice = new SloMonitor([availability]);
    const clean = Array.from({ length: 60 }, (_, i) => minute(i, 'cart', 0));
    once.observe(clean);
    twice.observe(clean);
    twice.observe(clean.slice(50));
    // 8 errors per 1000 in the last minute: 6 h and 1 h windows each see 8/61000 only if nothing is double counted.
    expect(twice.observe([minute(60, 'cart', 8)])).toEqual(once.observe([minute(60, 'cart', 8)]));
  });
});
