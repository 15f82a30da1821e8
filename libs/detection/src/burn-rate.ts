/**
 * SLO error-budget burn rates, after the Google SRE Workbook, "Alerting on SLOs" (multiwindow, multi-burn-rate
 * alerts). Pure functions over good/total event counts per window; durations in milliseconds.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Good and total events observed in one window (e.g. requests that met the SLI, and all requests). */
export interface WindowCounts {
  readonly good: number;
  readonly total: number;
}

/** The error budget of an SLO target: 1 − target (0.999 → 0.001). */
export function errorBudget(target: number): number {
  if (!(target > 0 && target < 1)) throw new RangeError(`SLO target must be in (0, 1), got ${target}`);
  return 1 - target;
}

/** Fraction of bad events in the window; 0 when there were no events (no traffic burns no budget). */
export function errorRate({ good, total }: WindowCounts): number {
  if (!(total >= 0) || !(good >= 0) || good > total) throw new RangeError(`need 0 ≤ good ≤ total, got good=${good}, total=${total}`);
  return total === 0 ? 0 : (total - good) / total;
}

/** How many times faster than "exactly exhaust the budget over the SLO period" the window consumed it. */
export function burnRate(counts: WindowCounts, target: number): number {
  return errorRate(counts) / errorBudget(target);
}

/** The burn rate that consumes `budgetFraction` of the budget in `windowMs` (2% in 1 h of 30 d → 14.4). */
export function burnRateThreshold(budgetFraction: number, windowMs: number, sloPeriodMs: number): number {
  return (budgetFraction * sloPeriodMs) / windowMs;
}

/** Fraction of the whole period's budget that a window burning at `rate` consumed. */
export function budgetConsumed(rate: number, windowMs: number, sloPeriodMs: number): number {
  return (rate * windowMs) / sloPeriodMs;
}

/** Time until a remaining budget fraction (0–1) is gone at `rate`; Infinity when nothing burns. */
export function timeToExhaustion(remainingFraction: number, rate: number, sloPeriodMs: number): number {
  if (rate <= 0) return Infinity;
  return (Math.max(remainingFraction, 0) * sloPeriodMs) / rate;
}

export type BurnSeverity = 'page' | 'ticket';

/** One multiwindow alert: both the long and the short window must burn faster than `burnRate`. */
export interface BurnRateWindowPair {
  readonly name: string;
  readonly severity: BurnSeverity;
  readonly burnRate: number;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
}

/**
 * The workbook's recommendation for a 30-day SLO: page at 14.4× over 1 h and 5 m (2% of the budget in an hour),
 * page at 6× over 6 h and 30 m (5% in six hours), ticket at 1× over 3 d and 6 h (10% in three days).
 */
export const SRE_WORKBOOK_30D: readonly BurnRateWindowPair[] = [
  { name: '1h/5m', severity: 'page', burnRate: 14.4, longWindowMs: HOUR_MS, shortWindowMs: 5 * MINUTE_MS },
  { name: '6h/30m', severity: 'page', burnRate: 6, longWindowMs: 6 * HOUR_MS, shortWindowMs: 30 * MINUTE_MS },
  { name: '3d/6h', severity: 'ticket', burnRate: 1, longWindowMs: 3 * DAY_MS, shortWindowMs: 6 * HOUR_MS },
];

export const SLO_PERIOD_30D_MS = 30 * DAY_MS;

export interface BurnRateAlert {
  readonly name: string;
  readonly severity: BurnSeverity;
  readonly threshold: number;
  readonly longWindowMs: number;
  readonly longBurnRate: number;
  readonly shortBurnRate: number;
  /** Both windows above the threshold. */
  readonly firing: boolean;
  /** Fraction of the period's budget the long window consumed. */
  readonly budgetConsumed: number;
}

/**
 * Evaluates every window pair. `countsFor(windowMs)` returns the good/total counts of the window ending now —
 * the caller owns the data; this only does the arithmetic.
 */
export function evaluateBurnRateAlerts(
  countsFor: (windowMs: number) => WindowCounts,
  target: number,
  pairs: readonly BurnRateWindowPair[] = SRE_WORKBOOK_30D,
  sloPeriodMs = SLO_PERIOD_30D_MS,
): BurnRateAlert[] {
  return pairs.map((pair) => {
    const longBurnRate = burnRate(countsFor(pair.longWindowMs), target);
    const shortBurnRate = burnRate(countsFor(pair.shortWindowMs), target);
    return {
      name: pair.name,
      severity: pair.severity,
      threshold: pair.burnRate,
      longWindowMs: pair.longWindowMs,
      longBurnRate,
      shortBurnRate,
      firing: longBurnRate > pair.burnRate && shortBurnRate > pair.burnRate,
      budgetConsumed: budgetConsumed(longBurnRate, pair.longWindowMs, sloPeriodMs),
    };
  });
}

/** The most severe firing alert ('page' before 'ticket'), or undefined when none fires. */
export function mostSevere(alerts: readonly BurnRateAlert[]): BurnRateAlert | undefined {
  return alerts.find((alert) => alert.firing && alert.severity === 'page') ?? alerts.find((alert) => alert.firing);
}
