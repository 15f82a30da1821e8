import {
  budgetConsumed,
  burnRate,
  burnRateThreshold,
  DAY_MS,
  errorBudget,
  errorRate,
  evaluateBurnRateAlerts,
  HOUR_MS,
  MINUTE_MS,
  mostSevere,
  SLO_PERIOD_30D_MS,
  SRE_WORKBOOK_30D,
  timeToExhaustion,
  WindowCounts,
} from './burn-rate';

describe('SLO burn rates', () => {
  it('derives the workbook thresholds from the budget share each window may spend in a 30-day period', () => {
    expect(burnRateThreshold(0.02, HOUR_MS, SLO_PERIOD_30D_MS)).toBeCloseTo(14.4, 10);
    expect(burnRateThreshold(0.05, 6 * HOUR_MS, SLO_PERIOD_30D_MS)).toBeCloseTo(6, 10);
    expect(burnRateThreshold(0.1, 3 * DAY_MS, SLO_PERIOD_30D_MS)).toBeCloseTo(1, 10);
    expect(SRE_WORKBOOK_30D.map((pair) => [pair.name, pair.burnRate, pair.severity])).toEqual([
      ['1h/5m', 14.4, 'page'],
      ['6h/30m', 6, 'page'],
      ['3d/6h', 1, 'ticket'],
    ]);
  });

  it('measures burn as the error rate over the error budget', () => {
    expect(errorBudget(0.999)).toBeCloseTo(0.001, 12);
    expect(errorRate({ good: 990, total: 1000 })).toBeCloseTo(0.01, 12);
    expect(burnRate({ good: 990, total: 1000 }, 0.999)).toBeCloseTo(10, 9);
    expect(burnRate({ good: 0, total: 0 }, 0.999)).toBe(0);
    expect(budgetConsumed(14.4, HOUR_MS, SLO_PERIOD_30D_MS)).toBeCloseTo(0.02, 12);
    expect(timeToExhaustion(0.5, 2, SLO_PERIOD_30D_MS)).toBe(7.5 * DAY_MS);
    expect(timeToExhaustion(1, 0, SLO_PERIOD_30D_MS)).toBe(Infinity);
  });

  it('rejects impossible inputs', () => {
    expect(() => errorBudget(1)).toThrow(RangeError);
    expect(() => errorRate({ good: 5, total: 4 })).toThrow(RangeError);
  });

  const windows = (byWindow: Record<number, WindowCounts>) => (windowMs: number) => byWindow[windowMs] ?? { good: 1000, total: 1000 };

  it('pages only when both the long and the short window burn too fast', () => {
    // 2% errors against a 99.9% SLO = 20× burn in the last hour, but the last 5 minutes have recovered.
    const recovered = evaluateBurnRateAlerts(windows({ [HOUR_MS]: { good: 980, total: 1000 }, [5 * MINUTE_MS]: { good: 1000, total: 1000 } }), 0.999);
    expect(recovered[0]).toMatchObject({ name: '1h/5m', firing: false, longBurnRate: expect.closeTo(20, 6), shortBurnRate: 0 });
    expect(mostSevere(recovered)).toBeUndefined();

    const ongoing = evaluateBurnRateAlerts(windows({ [HOUR_MS]: { good: 980, total: 1000 }, [5 * MINUTE_MS]: { good: 97, total: 100 } }), 0.999);
    expect(ongoing[0]).toMatchObject({ firing: true, budgetConsumed: expect.closeTo(20 / 720, 9) });
    expect(mostSevere(ongoing)?.name).toBe('1h/5m');
  });

  it('opens a ticket for a slow burn that no page catches', () => {
    const slow = { good: 9985, total: 10000 }; // 1.5× burn
    const alerts = evaluateBurnRateAlerts(windows({ [3 * DAY_MS]: slow, [6 * HOUR_MS]: slow, [HOUR_MS]: slow, [30 * MINUTE_MS]: slow, [5 * MINUTE_MS]: slow }), 0.999);
    expect(alerts.map((alert) => alert.firing)).toEqual([false, false, true]);
    expect(mostSevere(alerts)).toMatchObject({ name: '3d/6h', severity: 'ticket' });
  });
});
