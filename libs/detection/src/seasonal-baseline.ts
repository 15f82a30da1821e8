import { RollingWindow } from './rolling-window';
import { robustScale } from './robust-scale';

export interface SeasonalParams {
  /** Length of the season in milliseconds (default one day). */
  readonly periodMs: number;
  /** At most this many phase buckets per period; the sampling interval decides below it (default 288). */
  readonly maxBuckets: number;
  /** Level smoothing per row (default 0.02). */
  readonly alpha: number;
  /** Seasonal smoothing per visit of a bucket (default 0.2). */
  readonly gamma: number;
  /** Innovations are clipped to ± clip robust σ before they update the model (default 3). */
  readonly clip: number;
  /** Residuals kept for their robust scale (default 1000). */
  readonly residualWindow: number;
}

export interface SeasonalState {
  readonly start: number | null;
  /** Rows of the first period, kept until it is complete and the model can be initialised. */
  readonly firstPeriod: [number, number][];
  readonly buckets: number;
  readonly level: number;
  readonly season: number[];
  readonly residuals: number[];
}

export interface SeasonalStep {
  /** Forecast made before seeing the value; undefined while the first period is being learnt. */
  readonly expected?: number;
  /** Robust z-score of the residual against recent residuals (0 until 30 residuals are known). */
  readonly z: number;
  /** Robust σ of recent residuals (undefined until 30 are known). */
  readonly scale?: number;
}

const MIN_RESIDUALS = 30;
/** Seasonality needs a few buckets per period; coarser sampling leaves the series non-seasonal. */
const MIN_BUCKETS = 4;

/**
 * Additive Holt-Winters without trend over phase-of-period buckets (time of day by default), made robust the
 * way Gelper, Fried & Croux (2010) do: each innovation is clipped to ±clip·σ of recent residuals before it updates
 * level and season, so an anomaly does not become the new normal. The first full period initialises the
 * seasonal profile from bucket means; irregular timestamps are fine because rows go to buckets by time.
 */
export class SeasonalBaseline {
  private start: number | null;
  private firstPeriod: [number, number][];
  private buckets: number;
  private level: number;
  private season: number[];
  private readonly residuals: RollingWindow;

  constructor(private readonly params: SeasonalParams, state?: SeasonalState) {
    this.start = state?.start ?? null;
    this.firstPeriod = state ? state.firstPeriod.map(([t, x]) => [t, x]) : [];
    this.buckets = state?.buckets ?? 0;
    this.level = state?.level ?? 0;
    this.season = state ? [...state.season] : [];
    this.residuals = new RollingWindow(params.residualWindow, state?.residuals);
  }

  get ready(): boolean {
    return this.buckets >= MIN_BUCKETS;
  }

  /** Robust σ of recent residuals, or undefined while fewer than 30 are known. */
  residualScale(): number | undefined {
    return this.residuals.size >= MIN_RESIDUALS ? robustScale(this.residuals) : undefined;
  }

  update(timestamp: number, value: number): SeasonalStep {
    if (this.buckets === 0) {
      this.learnFirstPeriod(timestamp, value);
      return { z: 0 };
    }
    if (this.buckets < MIN_BUCKETS) return { z: 0 };
    const bucket = this.bucketOf(timestamp);
    const expected = this.level + this.season[bucket];
    const residual = value - expected;
    const scale = this.residualScale();
    const z = scale === undefined ? 0 : (residual - this.residuals.median()) / scale;
    this.residuals.push(residual);
    const clipped = scale === undefined ? residual : Math.max(-this.params.clip * scale, Math.min(this.params.clip * scale, residual));
    const cleaned = expected + clipped;
    const level = this.level + this.params.alpha * (cleaned - this.season[bucket] - this.level);
    this.season[bucket] += this.params.gamma * (cleaned - level - this.season[bucket]);
    this.level = level;
    return { expected, z, scale };
  }

  snapshot(): SeasonalState {
    return {
      start: this.start,
      firstPeriod: this.firstPeriod.map(([t, x]) => [t, x]),
      buckets: this.buckets,
      level: this.level,
      season: [...this.season],
      residuals: this.residuals.values(),
    };
  }

  private bucketOf(timestamp: number): number {
    const period = this.params.periodMs;
    const phase = ((timestamp % period) + period) % period;
    return Math.min(this.buckets - 1, Math.floor((phase / period) * this.buckets));
  }

  private learnFirstPeriod(timestamp: number, value: number): void {
    this.start ??= timestamp;
    this.firstPeriod.push([timestamp, value]);
    if (timestamp - this.start < this.params.periodMs) return;
    const gaps = this.firstPeriod
      .slice(1)
      .map(([t], i) => t - this.firstPeriod[i][0])
      .sort((a, b) => a - b);
    const interval = gaps[Math.floor(gaps.length / 2)];
    this.buckets = Math.max(2, Math.min(this.params.maxBuckets, Math.round(this.params.periodMs / interval)));
    if (this.buckets >= MIN_BUCKETS) this.initialise();
    this.firstPeriod = [];
  }

  /** Level = mean of the first period; season = bucket means minus the level, empty buckets borrow the next one's. */
  private initialise(): void {
    const sums = new Array<number>(this.buckets).fill(0);
    const counts = new Array<number>(this.buckets).fill(0);
    for (const [t, x] of this.firstPeriod) {
      const bucket = this.bucketOf(t);
      sums[bucket] += x;
      counts[bucket]++;
    }
    let total = 0;
    let count = 0;
    for (let b = 0; b < this.buckets; b++) {
      total += sums[b];
      count += counts[b];
    }
    this.level = total / count;
    this.season = sums.map((sum, b) => (counts[b] ? sum / counts[b] - this.level : 0));
    for (let b = 0; b < this.buckets; b++) {
      if (counts[b]) continue;
      for (let d = 1; d < this.buckets; d++) {
        const other = (b + d) % this.buckets;
        if (counts[other]) {
          this.season[b] = this.season[other];
          break;
        }
      }
    }
  }
}
