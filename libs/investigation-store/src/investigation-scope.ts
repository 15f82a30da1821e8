import { populationOf } from '@vigil/investigation';

/** The anomaly as the queries need it (from its AnomalyDetected event). */
export interface AnomalyToInvestigate {
  readonly service: string;
  /** `error_rate`, `latency_p99`…: picks the spans BubbleUp calls anomalous. */
  readonly signal: string;
  /** The detector's window: its start is taken as the onset. */
  readonly window: { readonly start: string; readonly end: string };
  /** The anomalous operation (the detector's series is per ServiceName, SpanName), when known. */
  readonly operation?: string;
}

export interface ScopeOptions {
  /** Anomalous spans and error logs are read from the onset for at least this long. Default 10 min. */
  readonly minAnomalousWindowMs: number;
  /** Baseline spans and logs: this long before the onset. Default 1 h. */
  readonly baselineMs: number;
  /** Per-minute series start this long before the onset, so an onset inside them can be seen. Default 15 min. */
  readonly preOnsetMs: number;
}

export const DEFAULT_SCOPE_OPTIONS: ScopeOptions = { minAnomalousWindowMs: 10 * 60_000, baselineMs: 3_600_000, preOnsetMs: 15 * 60_000 };

/** Epoch-millisecond bounds every adapter reads: fixed by the anomaly, so a re-run reads the same rows. */
export interface InvestigationScope {
  readonly service: string;
  readonly signal: string;
  /** The anomalous operation (SpanName), when known: BubbleUp compares its spans only. */
  readonly operation?: string;
  readonly population: 'errors' | 'slow' | 'all';
  readonly onset: number;
  /** [onset, end): the anomalous spans and logs. */
  readonly end: number;
  /** [baselineStart, onset): baseline spans and logs. */
  readonly baselineStart: number;
  /** Series and the service graph start here (the baseline's tail, just before the onset). */
  readonly seriesStart: number;
}

export function investigationScope(anomaly: AnomalyToInvestigate, options: Partial<ScopeOptions> = {}): InvestigationScope {
  const o = { ...DEFAULT_SCOPE_OPTIONS, ...options };
  const onset = Date.parse(anomaly.window.start);
  const windowEnd = Date.parse(anomaly.window.end);
  if (!Number.isFinite(onset) || !Number.isFinite(windowEnd)) throw new RangeError(`anomaly window ${anomaly.window.start} – ${anomaly.window.end} is not a pair of instants`);
  const population = populationOf(anomaly.signal);
  return {
    service: anomaly.service,
    signal: anomaly.signal,
    ...(anomaly.operation ? { operation: anomaly.operation } : {}),
    population: population === 'failed requests' ? 'errors' : population === 'slow requests' ? 'slow' : 'all',
    onset,
    end: Math.max(windowEnd, onset + o.minAnomalousWindowMs),
    baselineStart: onset - o.baselineMs,
    seriesStart: onset - o.preOnsetMs,
  };
}
