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
    monitor.observe(Array.from({ length: 60 }, (_, i) => minute(i, 'cart', 0)));
    monitor.observe([minute(60, 'cart', 1000)]);
    const hourLater = monitor.observe(Array.from({ length: 70 }, (_, i) => minute(61 + i, 'cart', 0)));
    expect(hourLater.at(-1)).toMatchObject({ type: 'raise', severity: 'warning', alert: { name: '3d/6h' } });
    const later = monitor.observe(Array.from({ length: 300 }, (_, i) => minute(131 + i, 'cart', 0)));
    expect(later.filter((d) => d.type === 'resolve')).toHaveLength(1);
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
