/** Time series for the evidence chart: generic points, from the RED-series endpoint or from an anomaly's observations. */
import { StoredEvent } from './types';

export interface SeriesPoint {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly value: number;
  /** The baseline band around the expected value. */
  readonly lower: number;
  readonly upper: number;
}

/** Relative half-width of the baseline band when nothing better is known. */
export const DEFAULT_BAND = 0.2;

/**
 * The anomaly's observations from its stream (AnomalyDetected / AnomalyUpdated): the actual value at the end of each
 * observation window, against the expected value ± 20% (at least a small absolute width, so a zero baseline still shows).
 */
export function anomalySeries(events: readonly StoredEvent[], band = DEFAULT_BAND): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const event of events) {
    if (event.type !== 'AnomalyDetected' && event.type !== 'AnomalyUpdated') continue;
    const { expected, actual, window, at } = event.data as { expected?: unknown; actual?: unknown; window?: { end?: string }; at?: string };
    if (typeof expected !== 'number' || typeof actual !== 'number') continue;
    const t = Date.parse(window?.end ?? at ?? event.recordedAt);
    if (Number.isNaN(t)) continue;
    const half = Math.max(Math.abs(expected) * band, Math.abs(expected) === 0 ? 1e-9 : 0);
    points.push({ t, value: actual, lower: expected - half, upper: expected + half });
  }
  return points.sort((a, b) => a.t - b.t);
}

/** How many points lie outside their band. */
export const outsideBand = (series: readonly SeriesPoint[]): number => series.filter((p) => p.value < p.lower || p.value > p.upper).length;
