import { finiteSorted, median } from '../internal/numbers';
import { InstantInput, toMillis } from '../internal/time';

/**
 * Per-service anomaly scores and onsets: each metric of a service is compared with its own pre-fault baseline by a
 * robust z-score (median and MAD), and the service's anomaly begins at the first window point where any of its
 * metrics crosses the threshold. The output feeds {@link traceRootCause}.
 */

/** Which way is bad: latency and errors `up`, availability and success rate `down`, traffic `both`. */
export type Direction = 'up' | 'down' | 'both';

export interface SeriesPoint {
  readonly at: InstantInput;
  /** null / NaN: no sample in that bucket (skipped). */
  readonly value: number | null;
}

export interface MetricSeries {
  readonly name: string;
  readonly direction: Direction;
  /** Samples from before the fault (their times do not matter). */
  readonly baseline: readonly (number | null)[];
  /** Samples from the investigated window, in any order. */
  readonly window: readonly SeriesPoint[];
  /**
   * A point over the z threshold is anomalous only if it also matters: at least `minChange` away from the baseline
   * median in the bad direction and (when set) at least `minRatio`× it. A p99 of 1.5 ms estimated from a few sampled
   * spans can triple by chance; that is statistics, not a slower database. Absent: z alone decides.
   */
  readonly materiality?: Materiality;
}

export interface Materiality {
  /** Smallest harmful distance from the baseline median, in the metric's unit. */
  readonly minChange: number;
  /** Smallest value / median (for `up`; median / value for `down`); ignored for `both`. */
  readonly minRatio?: number;
}

export interface OnsetOptions {
  /** A point is anomalous at |z| ≥ threshold (in the bad direction). Default 5. */
  readonly threshold: number;
  /** The scale is never below this fraction of |median| (a flat 100% availability still has a scale). Default 0.01. */
  readonly relativeScaleFloor: number;
  /** …nor below this. Default 1e-9. */
  readonly absoluteScaleFloor: number;
  /** Metrics with fewer finite baseline samples are not scored. Default 2. */
  readonly minBaselinePoints: number;
  /** z values are capped here so evidence stays finite JSON. Default 1000. */
  readonly maxZ: number;
  /**
   * An onset needs this many consecutive points at or above the threshold (the window's last points excepted: a fault
   * that has just begun has had no time to last), so a one-minute blip of a noisy series is not an anomaly. Default 1.
   */
  readonly minRunPoints: number;
}

export const DEFAULT_ONSET_OPTIONS: OnsetOptions = {
  threshold: 5,
  relativeScaleFloor: 0.01,
  absoluteScaleFloor: 1e-9,
  minBaselinePoints: 2,
  maxZ: 1000,
  minRunPoints: 1,
};

export interface RobustBaseline {
  readonly center: number;
  readonly scale: number;
  readonly points: number;
}

/**
 * Median and a robust σ: the largest of 1.4826·MAD, IQR/1.349 and a tenth of the 5–95% spread/3.29 (the same
 * floors as libs/detection's robustScale, so a series that is constant most of the time, or bimodal, still gets a
 * sensible scale), and of a small fraction of the level. `undefined` without finite samples.
 */
export function robustBaseline(values: readonly (number | null)[], options: Partial<OnsetOptions> = {}): RobustBaseline | undefined {
  const o = { ...DEFAULT_ONSET_OPTIONS, ...options };
  const sorted = finiteSorted(values.filter((value): value is number => value !== null));
  if (sorted.length === 0) return undefined;
  const center = median(sorted);
  const mad = 1.4826 * median(sorted.map((value) => Math.abs(value - center)).sort((a, b) => a - b));
  const iqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.349;
  const wide = (quantile(sorted, 0.95) - quantile(sorted, 0.05)) / 3.29;
  const scale = Math.max(mad, iqr, 0.1 * wide, o.relativeScaleFloor * Math.abs(center), o.absoluteScaleFloor);
  return { center, scale, points: sorted.length };
}

/** Linear-interpolated quantile of an ascending sample. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Signed toward "bad": positive when the value moved in the harmful direction. */
export function directedZ(value: number, baseline: RobustBaseline, direction: Direction, maxZ = DEFAULT_ONSET_OPTIONS.maxZ): number {
  const z = (value - baseline.center) / baseline.scale;
  const directed = direction === 'up' ? z : direction === 'down' ? -z : Math.abs(z);
  return Math.max(-maxZ, Math.min(maxZ, directed));
}

export interface MetricAnomaly {
  readonly name: string;
  /**
   * Largest directed z from the onset on: the strength of the anomaly that began in the window (0 without an onset).
   */
  readonly score: number;
  /**
   * First point at or above the threshold that follows a point below it (epoch ms): the anomaly began inside the
   * window. A metric already anomalous at the window's first point has no onset unless it recovers and crosses
   * again, so the window should start some minutes before the incident.
   */
  readonly onset?: number;
  /** Largest directed z anywhere in the window, onset or not (0 when the metric could not be scored). */
  readonly maxZ: number;
  /** Already at or above the threshold at the window's first point: a pre-existing condition, not this incident. */
  readonly preexisting: boolean;
  readonly baseline?: RobustBaseline;
}

export function scoreMetric(series: MetricSeries, options: Partial<OnsetOptions> = {}): MetricAnomaly {
  const o = { ...DEFAULT_ONSET_OPTIONS, ...options };
  const baseline = robustBaseline(series.baseline, o);
  if (!baseline || baseline.points < o.minBaselinePoints) return { name: series.name, score: 0, maxZ: 0, preexisting: false };
  const material = isMaterial(baseline.center, series.direction, series.materiality);
  const points = series.window
    .filter((point): point is { at: InstantInput; value: number } => point.value !== null && Number.isFinite(point.value))
    .map((point) => {
      const z = directedZ(point.value, baseline, series.direction, o.maxZ);
      return { at: toMillis(point.at, `${series.name} window point`), z, hot: z >= o.threshold && material(point.value) };
    })
    .sort((a, b) => a.at - b.at);
  let maxZ = 0;
  let score = 0;
  let onset: number | undefined;
  // A run from i lasts: its next minRunPoints − 1 points (as many as the window still has) are anomalous.
  const lasts = (i: number) => points.slice(i, i + Math.max(1, o.minRunPoints)).every((point) => point.hot);
  points.forEach((point, i) => {
    maxZ = Math.max(maxZ, point.z);
    if (onset === undefined && i > 0 && point.hot && !points[i - 1].hot && lasts(i)) onset = point.at;
    if (onset !== undefined && point.hot) score = Math.max(score, point.z);
  });
  const preexisting = points.length > 0 && points[0].hot;
  return { name: series.name, score, maxZ, preexisting, baseline, ...(onset !== undefined ? { onset } : {}) };
}

function isMaterial(center: number, direction: Direction, materiality: Materiality | undefined): (value: number) => boolean {
  if (!materiality) return () => true;
  const { minChange, minRatio } = materiality;
  switch (direction) {
    case 'up':
      return (value) => value - center >= minChange && (minRatio === undefined || value >= center * minRatio);
    case 'down':
      return (value) => center - value >= minChange && (minRatio === undefined || value * minRatio <= center);
    case 'both':
      return (value) => Math.abs(value - center) >= minChange;
    default: {
      const unknown: never = direction;
      throw new Error(`unknown direction ${String(unknown)}`);
    }
  }
}

export interface ServiceSeries {
  readonly service: string;
  readonly metrics: readonly MetricSeries[];
}

export interface ServiceAnomalyScore {
  readonly service: string;
  /** The largest onset-to-end z over its metrics (0 when nothing began in the window). */
  readonly score: number;
  /** Earliest onset over its metrics (epoch ms); absent when nothing began in the window. */
  readonly onset?: number;
  /** The metric behind `score`. */
  readonly signal?: string;
  /** The largest z anywhere in the window, pre-existing conditions included (what a plain z-score ranking uses). */
  readonly maxZ: number;
  readonly metrics: readonly MetricAnomaly[];
}

/** Scores every metric of a service; the service is as anomalous as its most anomalous fresh metric. */
export function scoreService(series: ServiceSeries, options: Partial<OnsetOptions> = {}): ServiceAnomalyScore {
  const metrics = series.metrics.map((metric) => scoreMetric(metric, options));
  let top: MetricAnomaly | undefined;
  let onset: number | undefined;
  let maxZ = 0;
  for (const metric of metrics) {
    if (metric.score > 0 && (!top || metric.score > top.score)) top = metric;
    if (metric.onset !== undefined && (onset === undefined || metric.onset < onset)) onset = metric.onset;
    maxZ = Math.max(maxZ, metric.maxZ);
  }
  return {
    service: series.service,
    score: top?.score ?? 0,
    ...(onset !== undefined ? { onset } : {}),
    ...(top ? { signal: top.name } : {}),
    maxZ,
    metrics,
  };
}
