import { formatShare, round } from '../internal/numbers';

/**
 * BubbleUp: which attribute=value pairs are over-represented among the anomalous events (in the anomaly's window,
 * matching its signal: errors, or requests slower than the threshold) compared with baseline events.
 *
 * The primary input is what a ClickHouse `GROUP BY attribute, value` returns: one row per pair with the count on
 * each side, plus the two totals (events, not pairs: an event lacking the attribute counts in the total only).
 * `countAttributeValues` builds the same shape from raw events for callers that have rows in memory.
 */
export interface AttributeValueCount {
  readonly attribute: string;
  readonly value: string;
  readonly anomalousCount: number;
  readonly baselineCount: number;
}

export interface BubbleUpCounts {
  /** Anomalous events in total (not pairs). */
  readonly anomalousTotal: number;
  /** Baseline events in total. */
  readonly baselineTotal: number;
  readonly rows: readonly AttributeValueCount[];
}

export type AttributeScalar = string | number | boolean;
export type WideEvent = Readonly<Record<string, AttributeScalar | null | undefined>>;

export interface BubbleUpOptions {
  /** How the anomalous events are named in summaries: "slow requests", "failed requests". Default "anomalous events". */
  readonly population: string;
  /** A pair must cover at least this share of the anomalous events. Default 0.05. */
  readonly minSupport: number;
  /** …and at least this many anomalous events. Default 5. */
  readonly minAnomalousCount: number;
  /** …and its share must exceed the baseline share by this much (absolute). Default 0.1. */
  readonly minDifference: number;
  /** …and the two-proportion z statistic must reach this (guards tiny samples). Default 3. */
  readonly minZ: number;
  /** Laplace pseudo-count for the smoothed ratio (lift). Default 1. */
  readonly smoothing: number;
  /**
   * Distinct values kept per attribute (those with the most anomalous events); the rest are folded into
   * {@link OTHER_VALUE}, which is counted but never reported. Default 50.
   */
  readonly maxValuesPerAttribute: number;
  /** At most this many results per attribute. Default 3. */
  readonly topPerAttribute: number;
  /** At most this many results overall. Default 10. */
  readonly limit: number;
  /** Attributes never reported (ids, timestamps): default trace/span ids. */
  readonly ignoreAttributes: readonly string[];
}

export const OTHER_VALUE = '(other)';

export const DEFAULT_BUBBLEUP_OPTIONS: BubbleUpOptions = {
  population: 'anomalous events',
  minSupport: 0.05,
  minAnomalousCount: 5,
  minDifference: 0.1,
  minZ: 3,
  smoothing: 1,
  maxValuesPerAttribute: 50,
  topPerAttribute: 3,
  limit: 10,
  ignoreAttributes: ['trace_id', 'span_id', 'parent_span_id', 'TraceId', 'SpanId', 'ParentSpanId', 'request_id'],
};

export interface BubbleUpResult {
  readonly attribute: string;
  readonly value: string;
  readonly anomalousCount: number;
  readonly baselineCount: number;
  /** Share of anomalous events with this value. */
  readonly anomalousShare: number;
  /** Share of baseline events with this value. */
  readonly baselineShare: number;
  /** anomalousShare − baselineShare: the ranking score, 0..1. */
  readonly difference: number;
  /** Smoothed ratio of the two shares (how many times more common among anomalous events). */
  readonly lift: number;
  /** Two-proportion z statistic (pooled). */
  readonly z: number;
  /** "87% of slow requests have payment_provider=stripe_v3 vs 3% in baseline" */
  readonly summary: string;
}

export interface AttributeCardinality {
  readonly attribute: string;
  readonly distinctValues: number;
  /** True when values beyond `maxValuesPerAttribute` were folded into {@link OTHER_VALUE}. */
  readonly capped: boolean;
}

export interface BubbleUpReport {
  readonly anomalousTotal: number;
  readonly baselineTotal: number;
  /** Best first: by difference, then z, then attribute and value (deterministic). */
  readonly results: readonly BubbleUpResult[];
  readonly attributes: readonly AttributeCardinality[];
}

/** Ranks attribute=value pairs by over-representation among anomalous events (see {@link BubbleUpOptions}). */
export function bubbleUp(counts: BubbleUpCounts, options: Partial<BubbleUpOptions> = {}): BubbleUpReport {
  const o: BubbleUpOptions = { ...DEFAULT_BUBBLEUP_OPTIONS, ...options };
  const { anomalousTotal, baselineTotal } = counts;
  assertCount(anomalousTotal, 'anomalousTotal');
  assertCount(baselineTotal, 'baselineTotal');
  const ignored = new Set(o.ignoreAttributes);

  const byAttribute = new Map<string, Map<string, { anomalous: number; baseline: number }>>();
  for (const row of counts.rows) {
    assertCount(row.anomalousCount, `${row.attribute}=${row.value} anomalousCount`);
    assertCount(row.baselineCount, `${row.attribute}=${row.value} baselineCount`);
    if (ignored.has(row.attribute)) continue;
    const values = byAttribute.get(row.attribute) ?? new Map<string, { anomalous: number; baseline: number }>();
    byAttribute.set(row.attribute, values);
    const cell = values.get(row.value) ?? { anomalous: 0, baseline: 0 };
    cell.anomalous += row.anomalousCount;
    cell.baseline += row.baselineCount;
    values.set(row.value, cell);
  }

  const attributes: AttributeCardinality[] = [];
  const results: BubbleUpResult[] = [];
  for (const attribute of [...byAttribute.keys()].sort()) {
    const values = capValues(byAttribute.get(attribute) ?? new Map(), o.maxValuesPerAttribute);
    attributes.push({ attribute, distinctValues: byAttribute.get(attribute)?.size ?? 0, capped: values.capped });
    const candidates: BubbleUpResult[] = [];
    for (const [value, cell] of values.cells) {
      if (value === OTHER_VALUE) continue;
      const result = score(attribute, value, cell.anomalous, cell.baseline, anomalousTotal, baselineTotal, o);
      if (result) candidates.push(result);
    }
    results.push(...candidates.sort(byStrength).slice(0, o.topPerAttribute));
  }
  return { anomalousTotal, baselineTotal, results: results.sort(byStrength).slice(0, o.limit), attributes };
}

/**
 * Counts attribute=value pairs of raw events (the in-memory twin of the ClickHouse GROUP BY). Numbers and booleans
 * become their string form, so a continuous attribute (a duration) should be bucketed by the caller first; nulls and
 * undefined are skipped (the event still counts in the total).
 */
export function countAttributeValues(anomalous: readonly WideEvent[], baseline: readonly WideEvent[]): BubbleUpCounts {
  const cells = new Map<string, { attribute: string; value: string; anomalousCount: number; baselineCount: number }>();
  const add = (events: readonly WideEvent[], side: 'anomalousCount' | 'baselineCount') => {
    for (const event of events) {
      for (const [attribute, raw] of Object.entries(event)) {
        if (raw === null || raw === undefined) continue;
        const value = String(raw);
        const key = `${attribute}\u0000${value}`;
        const cell = cells.get(key) ?? { attribute, value, anomalousCount: 0, baselineCount: 0 };
        cell[side] += 1;
        cells.set(key, cell);
      }
    }
  };
  add(anomalous, 'anomalousCount');
  add(baseline, 'baselineCount');
  return { anomalousTotal: anomalous.length, baselineTotal: baseline.length, rows: [...cells.values()] };
}

/** Convenience: {@link countAttributeValues} then {@link bubbleUp}. */
export function bubbleUpEvents(
  events: { readonly anomalous: readonly WideEvent[]; readonly baseline: readonly WideEvent[] },
  options: Partial<BubbleUpOptions> = {},
): BubbleUpReport {
  return bubbleUp(countAttributeValues(events.anomalous, events.baseline), options);
}

function score(
  attribute: string,
  value: string,
  a: number,
  b: number,
  anomalousTotal: number,
  baselineTotal: number,
  o: BubbleUpOptions,
): BubbleUpResult | undefined {
  if (anomalousTotal === 0 || a < o.minAnomalousCount) return undefined;
  const anomalousShare = Math.min(1, a / anomalousTotal);
  if (anomalousShare < o.minSupport) return undefined;
  // No baseline at all: every pair is "new"; the difference is the full share and z is left to the support rule.
  const baselineShare = baselineTotal === 0 ? 0 : Math.min(1, b / baselineTotal);
  const difference = anomalousShare - baselineShare;
  if (difference < o.minDifference) return undefined;
  const z = baselineTotal === 0 ? Infinity : twoProportionZ(a, anomalousTotal, b, baselineTotal);
  if (z < o.minZ) return undefined;
  const alpha = o.smoothing;
  const lift = (a + alpha) / (anomalousTotal + 2 * alpha) / ((b + alpha) / (baselineTotal + 2 * alpha));
  const summary =
    `${formatShare(anomalousShare)} of ${o.population} have ${attribute}=${value} vs ` +
    (baselineTotal === 0 ? 'no baseline events' : `${formatShare(baselineShare)} in baseline`);
  return {
    attribute,
    value,
    anomalousCount: a,
    baselineCount: b,
    anomalousShare: round(anomalousShare),
    baselineShare: round(baselineShare),
    difference: round(difference),
    lift: round(lift, 2),
    z: Number.isFinite(z) ? round(z, 2) : z,
    summary,
  };
}

/** Pooled two-proportion z statistic for p₁ = a/n₁ > p₂ = b/n₂. */
function twoProportionZ(a: number, n1: number, b: number, n2: number): number {
  const p1 = a / n1;
  const p2 = b / n2;
  const pooled = (a + b) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return p1 > p2 ? Infinity : 0;
  return (p1 - p2) / se;
}

function capValues(
  values: Map<string, { anomalous: number; baseline: number }>,
  max: number,
): { cells: Map<string, { anomalous: number; baseline: number }>; capped: boolean } {
  if (values.size <= max) return { cells: values, capped: false };
  const ordered = [...values.entries()].sort(
    ([va, a], [vb, b]) => b.anomalous - a.anomalous || b.baseline - a.baseline || (va < vb ? -1 : va > vb ? 1 : 0),
  );
  const cells = new Map(ordered.slice(0, max));
  const other = cells.get(OTHER_VALUE) ?? { anomalous: 0, baseline: 0 };
  for (const [, cell] of ordered.slice(max)) {
    other.anomalous += cell.anomalous;
    other.baseline += cell.baseline;
  }
  cells.set(OTHER_VALUE, other);
  return { cells, capped: true };
}

const byStrength = (x: BubbleUpResult, y: BubbleUpResult): number =>
  y.difference - x.difference || y.z - x.z || (x.attribute < y.attribute ? -1 : x.attribute > y.attribute ? 1 : x.value < y.value ? -1 : x.value > y.value ? 1 : 0);

function assertCount(value: number, field: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`bubbleUp: ${field} must be a non-negative number, got ${value}`);
}
