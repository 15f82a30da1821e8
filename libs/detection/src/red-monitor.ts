import { createDetector, DEFAULT_PARAMS, Detector, DetectorParams } from './detector';
import { MINUTE_MS } from './burn-rate';

/** One closed minute of RED for one (service, operation), counted before sampling. */
export interface RedMinute {
  readonly service: string;
  readonly operation: string;
  /** Start of the minute, epoch milliseconds. */
  readonly minute: number;
  readonly requests: number;
  readonly errors: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /**
   * Percent → ms (50: the median, 75, 90…), when the source has them: they let a minute still filling show a slowdown
   * (see `RedMonitor.preview`). A percentile p over the p99 the baseline allows means at least (100 − p)% of the
   * requests are slow.
   */
  readonly percentilesMs?: Readonly<Record<number, number>>;
}

/** At least how many of the minute's requests were slower than `levelMs`, from its percentiles (0 if none say). */
export function slowRequestsAtLeast(point: RedMinute, levelMs: number): number {
  const ladder = Object.entries(point.percentilesMs ?? {}).map(([percent, ms]) => [Number(percent), ms] as const).sort((a, b) => a[0] - b[0]);
  // The lowest percentile over the level bounds the slow requests best; (100 − p) × n is an integer, so /100 floors exactly.
  const lowest = ladder.find(([, ms]) => ms >= levelMs);
  return lowest ? Math.floor((point.requests * (100 - lowest[0])) / 100) : 0;
}

export type RedSignal = 'error_rate' | 'latency_p95' | 'latency_p99' | 'throughput';
export const RED_SIGNALS: readonly RedSignal[] = ['error_rate', 'latency_p95', 'latency_p99', 'throughput'];

export type RedSeverity = 'info' | 'warning' | 'error' | 'critical';

const SEVERITY_RANK: Readonly<Record<RedSeverity, number>> = { info: 0, warning: 1, error: 2, critical: 3 };

/** What the monitor wants done about one (service, operation, signal). */
export type RedDecision =
  | {
      readonly type: 'raise';
      readonly service: string;
      readonly operation: string;
      readonly signal: RedSignal;
      readonly minute: number;
      readonly expected: number;
      readonly actual: number;
      readonly lower: number;
      readonly upper: number;
      readonly score: number;
      readonly severity: RedSeverity;
    }
  | { readonly type: 'resolve'; readonly service: string; readonly operation: string; readonly signal: RedSignal; readonly minute: number; readonly inBandMinutes: number };

export interface RedMonitorParams {
  /** The streaming detector's parameters: the frozen NAB set with a 30-minute learning period. */
  readonly detector: DetectorParams;
  /** Minutes with fewer requests say nothing about error rate or latency. Default 10. */
  readonly minRequests: number;
  /**
   * A statistically unusual value must also matter: error rate at least this many points above expected (default
   * 0.02) with at least `minErrors` errors (default 3); latency at least `latencyRatio`× expected (default 1.5) and
   * `latencyMinMs` above it (default 20 ms); throughput at least `throughputRatio` away (default 0.5 = ±50%).
   */
  readonly minErrorRateIncrease: number;
  readonly minErrors: number;
  readonly latencyRatio: number;
  readonly latencyMinMs: number;
  readonly throughputRatio: number;
  /** An open anomaly resolves after this many consecutive minutes back inside the baseline band. Default 5. */
  readonly recoveryMinutes: number;
  /**
   * A minute still filling (`preview`) raises only if this many errors among its requests are at most this likely
   * at the band's upper error rate (Poisson tail; default 1e-7): a few requests into a minute, 3 failures in 10 is
   * news on a series that never fails and noise on one that fails 2% of the time.
   */
  readonly previewTailProbability: number;
  /**
   * A slowdown is previewed from at least this many requests of the minute (default 30): requests are independent
   * only roughly (one GC pause stalls the few that arrive during it), so a handful of slow ones proves little.
   */
  readonly previewSlowdownMinRequests: number;
}

/**
 * The frozen NAB set with a 30-minute learning period and without its one-alert-per-episode suppression: here one
 * open anomaly per series already stops repeats, while the suppression also started on unusual minutes the
 * materiality guards kept from being raised (one stray error), silencing the series for 80 minutes.
 */
export const RED_DETECTOR_PARAMS: DetectorParams = { ...DEFAULT_PARAMS, learningRows: 30, suppression: { rows: 0, ratio: Number.POSITIVE_INFINITY } };

export const DEFAULT_RED_MONITOR_PARAMS: RedMonitorParams = {
  detector: RED_DETECTOR_PARAMS,
  minRequests: 10,
  minErrorRateIncrease: 0.02,
  minErrors: 3,
  latencyRatio: 1.5,
  latencyMinMs: 20,
  throughputRatio: 0.5,
  recoveryMinutes: 5,
  previewTailProbability: 1e-7,
  previewSlowdownMinRequests: 30,
};

interface SeriesState {
  detector: Detector;
  lastMinute: number;
  open: boolean;
  /** The severity last raised while open: a repeat is raised only when it is worse… */
  severity?: RedSeverity;
  /** …or when the open anomaly was raised from a minute still filling (preview) and a closed minute confirms it. */
  confirmed: boolean;
  inBand: number;
  /** Values fed while learning, in time order: history that arrives late is slotted in and the detector replayed. */
  learning: Array<{ minute: number; value: number }> | null;
}

/**
 * Streams RED minutes through one detector per (service, operation, signal) and turns scores into raise / resolve
 * decisions: raise while a value is anomalous, material and on the bad side (more errors, slower, or throughput
 * off either way); resolve after `recoveryMinutes` consecutive minutes inside the band. Pure and deterministic.
 * Minutes should arrive in time order per series; while a series is still learning, an older minute not seen yet
 * (history still arriving) is slotted in and the series' detector replayed; after that, older minutes are ignored.
 */
export class RedMonitor {
  private readonly series = new Map<string, SeriesState>();
  private readonly params: RedMonitorParams;

  constructor(params: Partial<RedMonitorParams> = {}) {
    this.params = { ...DEFAULT_RED_MONITOR_PARAMS, ...params };
  }

  /** Feeds minutes (any keys, ascending minute within each key); returns the decisions they cause, in order. */
  observe(minutes: readonly RedMinute[]): RedDecision[] {
    const decisions: RedDecision[] = [];
    for (const point of minutes) {
      for (const signal of RED_SIGNALS) {
        const decision = this.observeSignal(point, signal);
        if (decision) decisions.push(decision);
      }
    }
    return decisions;
  }

  /**
   * Judges minutes not fed yet (still filling, or not closed by the clock) against each series' current baseline,
   * without learning from them, on what a partial minute can show:
   * - its error rate: the share of failing requests means the same over 20 seconds as over a minute, but fewer
   *   requests make it noisier, so the errors must also be improbable at the band's upper rate
   *   (`previewTailProbability`, Poisson tail);
   * - a slowdown of many requests: a percentile p of the minute (50, 60, … 95) at or above the p99 the baseline allows
   *   means at least (100 − p)% of its requests were slower than about 1% of requests usually are; raised when that
   *   many is as improbable by chance as the error test demands (its p95 alone, from a few requests, is not: one slow
   *   request of twenty is its p95). A quarter of 30 requests passes, a fifth of 70, a tenth only of ~100. Raised as
   *   latency_p95, material as a closed minute's.
   * Never throughput (a partial minute's count reads as a drop). Raises only a series that has learned and is not
   * raised already; the raise opens it, so the closed minutes update and resolve it as usual.
   */
  preview(minutes: readonly RedMinute[]): RedDecision[] {
    const decisions: RedDecision[] = [];
    for (const point of minutes) {
      for (const decision of [this.previewErrors(point), this.previewSlowdown(point)]) if (decision) decisions.push(decision);
    }
    return decisions;
  }

  private previewErrors(point: RedMinute): RedDecision | undefined {
    const signal: RedSignal = 'error_rate';
    const state = this.previewable(point, signal);
    const actual = judgeableValue(point, signal, this.params.minRequests);
    if (!state || actual === undefined) return undefined;
    const output = createDetector(this.params.detector, state.detector.snapshot()).update(point.minute, actual);
    if (!output.anomalous || !this.isMaterial(signal, actual, output.expected, point)) return undefined;
    if (poissonTail(point.errors, point.requests * Math.max(output.upper, output.expected, 0)) > this.params.previewTailProbability) return undefined;
    return this.openFromPreview(state, point, signal, actual, output);
  }

  private previewSlowdown(point: RedMinute): RedDecision | undefined {
    const signal: RedSignal = 'latency_p95';
    const state = this.previewable(point, signal);
    const p99 = this.series.get(keyOf(point.service, point.operation, 'latency_p99'));
    const actual = judgeableValue(point, signal, this.params.minRequests);
    if (!state || !p99 || p99.learning || actual === undefined) return undefined;
    if (point.requests < this.params.previewSlowdownMinRequests) return undefined;
    const p99Band = createDetector(this.params.detector, p99.detector.snapshot()).update(point.minute, point.p99Ms);
    // The sketch's quantiles are within 1% of the true value: leave that much room.
    const slow = slowRequestsAtLeast(point, Math.max(p99Band.upper, p99Band.expected) * (1 + SKETCH_RELATIVE_ACCURACY));
    // That many requests over a level about 1 in 100 requests exceeds.
    if (slow === 0 || poissonTail(slow, point.requests * 0.01) > this.params.previewTailProbability) return undefined;
    const output = createDetector(this.params.detector, state.detector.snapshot()).update(point.minute, actual);
    if (!output.anomalous || !this.isMaterial(signal, actual, output.expected, point)) return undefined;
    return this.openFromPreview(state, point, signal, actual, output);
  }

  /** The series, when a minute not fed yet may raise it: it has learned, is not open, and the minute is new. */
  private previewable(point: RedMinute, signal: RedSignal): SeriesState | undefined {
    const state = this.series.get(keyOf(point.service, point.operation, signal));
    return state && !state.learning && !state.open && point.minute > state.lastMinute ? state : undefined;
  }

  private openFromPreview(state: SeriesState, point: RedMinute, signal: RedSignal, actual: number, output: { expected: number; lower: number; upper: number; score: number }): RedDecision {
    state.open = true;
    state.inBand = 0;
    const severity = this.severityOf(signal, actual, output.expected);
    state.severity = severity;
    state.confirmed = false;
    return {
      type: 'raise', service: point.service, operation: point.operation, signal, minute: point.minute,
      expected: output.expected, actual, lower: output.lower, upper: output.upper, score: output.score, severity,
    };
  }

  /** The last minute fed for a series, to resume reading after it. */
  lastMinute(service: string, operation: string): number | undefined {
    return this.series.get(keyOf(service, operation, 'throughput'))?.lastMinute;
  }

  /** True until the series has a full learning period: its history is still worth re-reading. */
  isLearning(service: string, operation: string): boolean {
    const state = this.series.get(keyOf(service, operation, 'throughput'));
    return !state || state.learning !== null;
  }

  private observeSignal(point: RedMinute, signal: RedSignal): RedDecision | undefined {
    const key = keyOf(point.service, point.operation, signal);
    let state = this.series.get(key);
    if (!state) this.series.set(key, (state = { detector: createDetector(this.params.detector), lastMinute: -Infinity, open: false, confirmed: false, inBand: 0, learning: [] }));
    const actual = judgeableValue(point, signal, this.params.minRequests);
    if (point.minute <= state.lastMinute) {
      if (state.learning && actual !== undefined) this.slotIn(state, point.minute, actual);
      return undefined;
    }
    state.lastMinute = point.minute;
    if (actual === undefined) return undefined;

    const output = state.detector.update(point.minute, actual);
    if (state.learning) {
      state.learning.push({ minute: point.minute, value: actual });
      if (state.learning.length > this.params.detector.learningRows) state.learning = null;
    }
    const base = { service: point.service, operation: point.operation, signal, minute: point.minute };
    if (output.anomalous && this.isMaterial(signal, actual, output.expected, point)) {
      const severity = this.severityOf(signal, actual, output.expected);
      state.inBand = 0;
      // Open already: the anomaly stands until recovery; only a worse severity is news (an update that may page).
      if (state.open && state.confirmed && state.severity !== undefined && SEVERITY_RANK[severity] <= SEVERITY_RANK[state.severity]) return undefined;
      state.open = true;
      state.confirmed = true;
      state.severity = severity;
      return { type: 'raise', ...base, expected: output.expected, actual, lower: output.lower, upper: output.upper, score: output.score, severity };
    }
    if (!state.open) return undefined;
    const inBand = actual <= output.upper && actual >= output.lower;
    state.inBand = inBand || !this.isMaterial(signal, actual, output.expected, point) ? state.inBand + 1 : 0;
    if (state.inBand < this.params.recoveryMinutes) return undefined;
    state.open = false;
    state.severity = undefined;
    const inBandMinutes = state.inBand;
    state.inBand = 0;
    return { type: 'resolve', ...base, inBandMinutes };
  }

  /** A late minute of a learning series: insert it in time order and replay the detector (no decisions while learning). */
  private slotIn(state: SeriesState, minute: number, value: number): void {
    const history = state.learning as Array<{ minute: number; value: number }>;
    if (history.some((entry) => entry.minute === minute)) return;
    history.push({ minute, value });
    history.sort((a, b) => a.minute - b.minute);
    state.detector = createDetector(this.params.detector);
    for (const entry of history) state.detector.update(entry.minute, entry.value);
    if (history.length > this.params.detector.learningRows) state.learning = null;
  }

  private isMaterial(signal: RedSignal, actual: number, expected: number, point: RedMinute): boolean {
    const p = this.params;
    switch (signal) {
      case 'error_rate':
        return actual - expected >= p.minErrorRateIncrease && point.errors >= p.minErrors;
      case 'latency_p95':
      case 'latency_p99':
        return actual >= expected * p.latencyRatio && actual - expected >= p.latencyMinMs;
      case 'throughput':
        return expected > 0 && Math.abs(actual - expected) / expected >= p.throughputRatio;
      default:
        return assertNever(signal);
    }
  }

  /** Errors hurt users most: ≥ 20% failing is critical, ≥ 5% an error; latency ≥ 3× is an error; the rest warn. */
  private severityOf(signal: RedSignal, actual: number, expected: number): RedSeverity {
    switch (signal) {
      case 'error_rate':
        return actual >= 0.2 ? 'critical' : actual >= 0.05 ? 'error' : 'warning';
      case 'latency_p95':
      case 'latency_p99':
        return actual >= 3 * expected ? 'error' : 'warning';
      case 'throughput':
        return actual < expected ? 'error' : 'warning';
      default:
        return assertNever(signal);
    }
  }
}

/** The signal's value, unless the minute is too quiet to say anything about error rate or latency. */
function judgeableValue(point: RedMinute, signal: RedSignal, minRequests: number): number | undefined {
  return signal !== 'throughput' && point.requests < minRequests ? undefined : valueOf(point, signal);
}

function valueOf(point: RedMinute, signal: RedSignal): number | undefined {
  switch (signal) {
    case 'error_rate':
      return point.requests > 0 ? point.errors / point.requests : undefined;
    case 'latency_p95':
      return point.p95Ms;
    case 'latency_p99':
      return point.p99Ms;
    case 'throughput':
      return point.requests;
    default:
      return assertNever(signal);
  }
}

/** P(X ≥ k) for X ~ Poisson(λ), summed from k upwards in log space (1 − CDF loses the far tail to rounding). */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (k <= lambda) return 1; // at least about a half: never significant
  let logTerm = -lambda + k * Math.log(lambda);
  for (let i = 2; i <= k; i++) logTerm -= Math.log(i);
  let term = Math.exp(logTerm);
  let sum = 0;
  for (let i = k; term > sum * 1e-12; i++) {
    sum += term;
    term *= lambda / (i + 1);
  }
  return sum;
}

/** Relative accuracy of the RED quantiles (ClickHouse quantilesDD(0.01, …), libs/telemetry's RED_QUANTILES_FUNCTION). */
const SKETCH_RELATIVE_ACCURACY = 0.01;

function keyOf(service: string, operation: string, signal: RedSignal): string {
  return JSON.stringify([service, operation, signal]);
}

function assertNever(value: never): never {
  throw new Error(`unhandled RED signal ${String(value)}`);
}

/** Start of the minute holding `epochMs`. */
export const minuteOf = (epochMs: number): number => Math.floor(epochMs / MINUTE_MS) * MINUTE_MS;

/** One minute of a RED signal with the detector's baseline band at that minute. */
export interface BandPoint {
  readonly t: number;
  readonly value: number;
  readonly expected: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The signal of a RED series with the band the detector held at each minute (expected ∓ bandSigmas·σ), from the same
 * detector parameters the monitor uses, so the chart shows what detection saw. Minutes too quiet to judge are left
 * out. The band is floored at 0: a rate or a latency is never negative.
 */
export function redSignalBand(minutes: readonly RedMinute[], signal: RedSignal, params: Partial<RedMonitorParams> = {}): BandPoint[] {
  const p = { ...DEFAULT_RED_MONITOR_PARAMS, ...params };
  const detector = createDetector(p.detector);
  const points: BandPoint[] = [];
  for (const minute of [...minutes].sort((a, b) => a.minute - b.minute)) {
    const value = judgeableValue(minute, signal, p.minRequests);
    if (value === undefined) continue;
    const output = detector.update(minute.minute, value);
    points.push({ t: minute.minute, value, expected: output.expected, lower: Math.max(0, output.lower), upper: Math.max(0, output.upper) });
  }
  return points;
}

export function isRedSignal(signal: string): signal is RedSignal {
  return (RED_SIGNALS as readonly string[]).includes(signal);
}
