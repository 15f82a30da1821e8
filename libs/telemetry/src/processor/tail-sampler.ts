import type { SpanV1 } from '@vigil/contracts';
import { nanosBetween } from '../otlp/unix-nanos';
import { BoundedCache } from './bounded-cache';

export interface TailSamplingOptions {
  /** Share of the traces that are neither erroneous nor slow to keep, by trace id hash. Default 0.01. */
  rate?: number;
  /**
   * How long after a trace is first seen an error or slow span can still make it kept; its earlier spans are held in
   * memory meanwhile (and their bus batches left unacknowledged). Default 5 000 ms.
   */
  decisionWaitMs?: number;
  /** A trace with a span at least this long is kept. Default 1 000 ms. */
  slowThresholdMs?: number;
  /** Per service.name overrides of slowThresholdMs. */
  slowThresholdMsByService?: Record<string, number>;
  /** Decisions remembered for late spans. Default 100 000 traces for 10 minutes. */
  maxDecisions?: number;
  decisionTtlMs?: number;
  /** Traces awaiting a decision at most; past it the oldest is decided early. Default 100 000. */
  maxUndecided?: number;
  /** Spans held for undecided traces at most; past it the oldest trace is decided early. Default 250 000. */
  maxHeldSpans?: number;
}

export type DecisionReason = 'error' | 'slow' | 'hash' | 'dropped';

export interface SamplingDecision {
  keep: boolean;
  /** SampleWeight of the stored spans: 1/rate when kept by hash, else 1. */
  weight: number;
  reason: DecisionReason;
}

/** A span and the bus message it came in (the writer's replay-dedup unit). */
export interface HeldSpan {
  readonly messageId: string;
  readonly span: SpanV1;
}

/** The spans an undecided trace held until a rule kept it: the caller stores them, then calls `stored()`. */
export interface ReleasedTrace {
  readonly traceId: string;
  readonly spans: readonly HeldSpan[];
  stored(): void;
}

/** What observe() concluded for the spans of one trace in one batch. */
export type Observation =
  /** Held in memory; `settled` resolves once the trace is dropped, or kept and its held spans stored. */
  | { state: 'undecided'; settled: Promise<void> }
  /** `fresh`: decided by these spans; `released`: the trace's held spans, to be stored with these. */
  | { state: 'decided'; decision: SamplingDecision; fresh: boolean; released: ReleasedTrace | null };

const RANDOM_BITS = 56n;

/**
 * The trace's sampling value: the rightmost 7 bytes (14 hex digits) of the trace id as an integer in [0, 2^56). W3C
 * Trace Context level 2 makes those bytes random, and OpenTelemetry's consistent probability sampling reads the same
 * bits, so every instance (and any other sampler using that convention) agrees on which traces a rate keeps.
 */
export function traceSamplingValue(traceId: string): bigint {
  const hex = traceId.slice(-14).padStart(14, '0');
  return /^[0-9a-fA-F]{14}$/.test(hex) ? BigInt(`0x${hex}`) : 0n;
}

/** True when the hash of `traceId` falls in the kept share `rate`. */
export function keptByHash(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const threshold = BigInt(Math.round(rate * 2 ** 32)) << (RANDOM_BITS - 32n);
  return traceSamplingValue(traceId) < threshold;
}

export function spanDurationMs(span: SpanV1): number {
  return Number(nanosBetween(span.startTimeUnixNano, span.endTimeUnixNano)) / 1e6;
}

interface Undecided {
  deadline: number;
  spans: HeldSpan[];
  /** Messages whose spans are held: a redelivered message is not held twice. */
  messages: Set<string>;
  settled: Promise<void>;
  settle: () => void;
}

/**
 * Tail sampling decisions per trace. Errors and slow spans keep a trace (weight 1); otherwise the trace id hash keeps
 * ~rate of traces (weight 1/rate) at first sight; the rest are held in memory for decisionWaitMs in case an error or
 * slow span follows, then dropped. Decisions are remembered so late spans follow them.
 *
 * Holding in memory, not in ClickHouse: storing every undecided span row by row cost as much as storing all traffic
 * unsampled (bench/ingest/README.md). Durability comes from the bus instead: the processor acknowledges a batch
 * only once each trace it held has settled, so after a crash Kafka redelivers what was held.
 */
export class TailSampler {
  readonly rate: number;
  private readonly waitMs: number;
  private readonly slowMs: number;
  private readonly slowMsByService: Record<string, number>;
  private readonly maxUndecided: number;
  private readonly maxHeldSpans: number;
  private readonly decisions: BoundedCache<SamplingDecision>;
  private readonly undecided = new Map<string, Undecided>();
  private held = 0;

  constructor(options: TailSamplingOptions = {}, private readonly now: () => number = Date.now) {
    this.rate = options.rate ?? 0.01;
    if (!(this.rate >= 0 && this.rate <= 1)) throw new Error(`tail sampling rate must be within [0, 1], got ${this.rate}`);
    this.waitMs = options.decisionWaitMs ?? 5_000;
    this.slowMs = options.slowThresholdMs ?? 1_000;
    this.slowMsByService = options.slowThresholdMsByService ?? {};
    this.maxUndecided = options.maxUndecided ?? 100_000;
    this.maxHeldSpans = options.maxHeldSpans ?? 250_000;
    this.decisions = new BoundedCache(options.maxDecisions ?? 100_000, options.decisionTtlMs ?? 600_000, now);
  }

  get undecidedTraces(): number {
    return this.undecided.size;
  }

  get heldSpans(): number {
    return this.held;
  }

  observe(traceId: string, items: readonly HeldSpan[]): Observation {
    this.expire();
    const recorded = this.decisions.get(traceId);
    if (recorded) return { state: 'decided', decision: recorded, fresh: false, released: null };
    const spans = items.map((item) => item.span);
    const decision = this.ruleDecision(spans) ?? (keptByHash(traceId, this.rate) ? { keep: true, weight: 1 / this.rate, reason: 'hash' as const } : null);
    if (!decision) return { state: 'undecided', settled: this.hold(traceId, items) };
    const pending = this.undecided.get(traceId);
    this.decisions.set(traceId, decision);
    if (!pending) return { state: 'decided', decision, fresh: true, released: null };
    this.forget(traceId, pending);
    return { state: 'decided', decision, fresh: true, released: { traceId, spans: pending.spans, stored: pending.settle } };
  }

  /** Drops the traces whose decision wait is over (and the oldest beyond maxUndecided / maxHeldSpans). */
  expire(): void {
    const now = this.now();
    for (const [traceId, entry] of this.undecided) {
      // Insertion order is deadline order.
      if (entry.deadline > now && this.undecided.size <= this.maxUndecided && this.held <= this.maxHeldSpans) break;
      this.forget(traceId, entry);
      this.decisions.set(traceId, { keep: false, weight: 0, reason: 'dropped' });
      entry.settle();
    }
  }

  private hold(traceId: string, items: readonly HeldSpan[]): Promise<void> {
    let entry = this.undecided.get(traceId);
    if (!entry) {
      let settle = () => {};
      const settled = new Promise<void>((resolve) => (settle = resolve));
      entry = { deadline: this.now() + this.waitMs, spans: [], messages: new Set(), settled, settle };
      this.undecided.set(traceId, entry);
    }
    const fresh = items.filter((item) => !entry.messages.has(item.messageId));
    for (const item of fresh) entry.spans.push(item);
    for (const item of fresh) entry.messages.add(item.messageId);
    this.held += fresh.length;
    return entry.settled;
  }

  private forget(traceId: string, entry: Undecided): void {
    this.undecided.delete(traceId);
    this.held -= entry.spans.length;
  }

  private ruleDecision(spans: readonly SpanV1[]): SamplingDecision | null {
    if (spans.some((span) => span.statusCode === 'Error')) return { keep: true, weight: 1, reason: 'error' };
    if (spans.some((span) => spanDurationMs(span) >= (this.slowMsByService[span.serviceName] ?? this.slowMs))) {
      return { keep: true, weight: 1, reason: 'slow' };
    }
    return null;
  }
}
