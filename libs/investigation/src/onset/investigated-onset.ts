import { DEFAULT_TRACE_OPTIONS, ServiceAnomaly } from '../dependency/root-cause';
import { InstantInput, MINUTE_MS, toMillis } from '../internal/time';

export interface InvestigatedOnsetOptions {
  /**
   * A detector's window at most this long starts at the fault's onset (a RED anomaly's minute). A longer one (an SLO
   * burn-rate alert's hour, from its long window) says when the budget burned, not when the fault began. Default
   * 15 min, the incident grouping's window, past which incidentGroup too gives such an anomaly no onset.
   */
  readonly maxDatedWindowMs: number;
  /** The service's own anomaly must score at least this to date the fault. Default 5 (dependency tracing's). */
  readonly minScore: number;
}

export const DEFAULT_INVESTIGATED_ONSET_OPTIONS: InvestigatedOnsetOptions = { maxDatedWindowMs: 15 * MINUTE_MS, minScore: DEFAULT_TRACE_OPTIONS.minScore };

/**
 * When the investigated fault began, and how that is known:
 * - `detected`: the detector's window is short, its start is the onset;
 * - `metric`: the window is long, and the service's own per-minute series (`serviceAnomalies`) began inside it;
 * - `window-start`: the window is long and nothing dates the fault inside it: its start, the earliest it can be.
 */
export type InvestigatedOnset =
  | { readonly kind: 'detected'; readonly at: number }
  | { readonly kind: 'metric'; readonly at: number; readonly windowStart: number; readonly signal?: string }
  | { readonly kind: 'window-start'; readonly at: number };

/**
 * The onset the investigation correlates changes against. An SLO burn-rate anomaly's window starts an hour or more
 * before the fault: a deploy two minutes before the first failing request lay an hour after that "onset", outside
 * deployment correlation's 60 s skew tolerance, and the bad deploy went unnamed. Pure.
 */
export function investigatedOnset(
  anomaly: { readonly service: string; readonly onset: InstantInput; readonly end?: InstantInput },
  serviceAnomalies: readonly ServiceAnomaly[] = [],
  options: Partial<InvestigatedOnsetOptions> = {},
): InvestigatedOnset {
  const o = { ...DEFAULT_INVESTIGATED_ONSET_OPTIONS, ...options };
  const start = toMillis(anomaly.onset, 'anomaly onset');
  const end = anomaly.end === undefined ? start : toMillis(anomaly.end, 'anomaly end');
  if (end - start <= o.maxDatedWindowMs) return { kind: 'detected', at: start };
  const own = serviceAnomalies.find((entry) => entry.service === anomaly.service && entry.score >= o.minScore && entry.onset !== undefined);
  const at = own?.onset === undefined ? undefined : toMillis(own.onset, `${anomaly.service} onset`);
  if (own === undefined || at === undefined || at < start || at > end) return { kind: 'window-start', at: start };
  return { kind: 'metric', at, windowStart: start, ...(own.signal !== undefined ? { signal: own.signal } : {}) };
}
