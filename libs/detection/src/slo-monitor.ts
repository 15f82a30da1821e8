import { BurnRateAlert, BurnRateWindowPair, DAY_MS, evaluateBurnRateAlerts, MINUTE_MS, mostSevere, SLO_PERIOD_30D_MS, SRE_WORKBOOK_30D, WindowCounts } from './burn-rate';
import { RedMinute } from './red-monitor';

/**
 * A service level objective over 30 days. Availability: the share of requests that do not fail. Latency: the share of
 * minutes whose p99 stays under `thresholdMs` (a time-slice SLI, because the RED state keeps quantiles, not
 * per-request latencies).
 */
export type Slo =
  | { readonly name: string; readonly kind: 'availability'; readonly service: string; readonly operation?: string; readonly target: number }
  | { readonly name: string; readonly kind: 'latency'; readonly service: string; readonly operation?: string; readonly target: number; readonly thresholdMs: number };

export type SloDecision =
  | { readonly type: 'raise'; readonly slo: Slo; readonly minute: number; readonly alert: BurnRateAlert; readonly severity: 'critical' | 'warning' }
  | { readonly type: 'resolve'; readonly slo: Slo; readonly minute: number };

interface Bucket {
  good: number;
  total: number;
}

interface SloState {
  /** Minute start → operation → counts, for the longest window. Set, not added: feeding a minute twice is harmless. */
  readonly buckets: Map<number, Map<string, Bucket>>;
  latest: number;
  /** The first minute ever fed: how much history the windows can stand on. */
  earliest: number;
  firing: boolean;
}

/** `'*'` in a service SLO (the default availability SLO) applies to every service seen. */
export const ALL_SERVICES = '*';

/**
 * Multi-window, multi-burn-rate alerts (the SRE workbook's 14.4×/6×/1× pairs for a 30-day SLO) over RED minutes.
 * Raises when the most severe pair fires (page → critical, ticket → warning) and resolves when none fires. Pure.
 */
export class SloMonitor {
  private readonly states = new Map<string, SloState>();
  private readonly horizonMs: number;

  constructor(private readonly slos: readonly Slo[], private readonly pairs: readonly BurnRateWindowPair[] = SRE_WORKBOOK_30D, private readonly periodMs = SLO_PERIOD_30D_MS) {
    this.horizonMs = Math.max(DAY_MS, ...pairs.map((pair) => pair.longWindowMs));
  }

  /** Feeds minutes (ascending within each key); evaluates every touched SLO at its newest minute. */
  observe(minutes: readonly RedMinute[]): SloDecision[] {
    const touched = new Map<string, Slo>();
    for (const point of minutes) {
      for (const slo of this.slos) {
        if (slo.service !== ALL_SERVICES && slo.service !== point.service) continue;
        if (slo.operation && slo.operation !== point.operation) continue;
        const concrete: Slo = slo.service === ALL_SERVICES ? { ...slo, service: point.service } : slo;
        const key = `${concrete.name}\u0000${concrete.service}`;
        let state = this.states.get(key);
        if (!state) this.states.set(key, (state = { buckets: new Map(), latest: -Infinity, earliest: Infinity, firing: false }));
        let minute = state.buckets.get(point.minute);
        if (!minute) state.buckets.set(point.minute, (minute = new Map()));
        if (concrete.kind === 'availability') minute.set(point.operation, { good: point.requests - point.errors, total: point.requests });
        // One slice per operation-minute: good when its p99 meets the threshold.
        else if (point.requests > 0) minute.set(point.operation, { good: point.p99Ms <= concrete.thresholdMs ? 1 : 0, total: 1 });
        state.latest = Math.max(state.latest, point.minute);
        state.earliest = Math.min(state.earliest, point.minute);
        touched.set(key, concrete);
      }
    }
    const decisions: SloDecision[] = [];
    for (const [key, slo] of touched) {
      const state = this.states.get(key) as SloState;
      this.prune(state);
      const alerts = evaluateBurnRateAlerts((windowMs) => this.counts(state, windowMs), slo.target, this.pairsCoveredBy(state), this.periodMs);
      const worst = mostSevere(alerts);
      if (worst) {
        state.firing = true;
        decisions.push({ type: 'raise', slo, minute: state.latest, alert: worst, severity: worst.severity === 'page' ? 'critical' : 'warning' });
      } else if (state.firing) {
        state.firing = false;
        decisions.push({ type: 'resolve', slo, minute: state.latest });
      }
    }
    return decisions;
  }

  /**
   * The pairs whose short window the fed minutes span. A pair over less history than that alerts at its burn rate
   * over whatever there is: the 1× ticket pair meant for 3 days fired on two errors in a new low-traffic service's
   * first 40 minutes (an SLO anomaly that then led a fault's incident). With the detector's 6 h warm-up every pair is
   * evaluated again right after a restart.
   */
  private pairsCoveredBy(state: SloState): readonly BurnRateWindowPair[] {
    const covered = state.latest - state.earliest + MINUTE_MS;
    return this.pairs.filter((pair) => pair.shortWindowMs <= covered);
  }

  private counts(state: SloState, windowMs: number): WindowCounts {
    const from = state.latest - windowMs;
    let good = 0;
    let total = 0;
    for (const [minute, operations] of state.buckets) {
      if (minute <= from) continue;
      for (const bucket of operations.values()) {
        good += bucket.good;
        total += bucket.total;
      }
    }
    return { good, total };
  }

  private prune(state: SloState): void {
    for (const minute of state.buckets.keys()) if (minute <= state.latest - this.horizonMs) state.buckets.delete(minute);
  }
}
