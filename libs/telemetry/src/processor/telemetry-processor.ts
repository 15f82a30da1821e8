import {
  OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, otelLogsV1, otelMetricsV1, otelSpansV1,
  type LogRecordV1, type MetricPointV1, type SpanV1, type TopicContract,
} from '@vigil/contracts';
import type { BatchHandler, BatchOutcome, BusMessage, DeliveredBatch } from '../bus/telemetry-bus';
import { durationText, logRow, METRIC_TABLES, metricRow, spanRow, type Row } from '../clickhouse/rows';
import { unixSeconds } from '../otlp/unix-nanos';
import { TableRows, type ClickHouseTelemetryWriter } from '../clickhouse/writer';
import { BoundedCache } from './bounded-cache';
import { enrichResource, type EnrichmentOptions } from './enrichment';
import { PiiScrubber, type PiiOptions } from './pii';
import { TailSampler, type HeldSpan, type ReleasedTrace, type TailSamplingOptions } from './tail-sampler';

export interface TelemetryProcessorOptions {
  enrichment?: EnrichmentOptions;
  /** false turns scrubbing off (not advised). */
  pii?: PiiOptions | false;
  /** Tail sampling of traces; absent or false keeps every span (weight 1). Logs and metrics are never sampled. */
  sampling?: TailSamplingOptions | false;
  /** Trace → correlation id memory for log ↔ trace correlation. Default 100 000 traces for 15 minutes. */
  correlationCacheSize?: number;
  correlationTtlMs?: number;
}

export interface ProcessorDependencies {
  writer: ClickHouseTelemetryWriter;
  /** Clock of the decision wait and caches. Default Date.now. */
  now?: () => number;
}

export interface ProcessorStats {
  spans: number;
  keptSpans: number;
  droppedSpans: number;
  /** Spans held in memory awaiting their trace's decision (counted when first held). */
  heldSpans: number;
  /** Undecided traces a later error or slow span kept: their held spans were stored then. */
  promotedTraces: number;
  logs: number;
  correlatedLogs: number;
  metricPoints: number;
}

/**
 * The message's contract value: the publisher's own object when the bus handed it over (in-process; publishValues
 * publishes values of the topic's contract), else decoded from the bytes.
 */
function valueOf<T>(message: BusMessage, contract: TopicContract<unknown, T>): T {
  return message.decoded !== undefined ? (message.decoded as T) : contract.decode(message.value);
}

/** One row per span, before sampling, into the Null table the RED materialized views read. */
export function redInputRow(span: SpanV1): Row {
  return {
    StartTime: unixSeconds(span.startTimeUnixNano),
    ServiceName: span.serviceName,
    SpanName: span.name,
    Duration: durationText(span.startTimeUnixNano, span.endTimeUnixNano),
    IsError: span.statusCode === 'Error' ? 1 : 0,
  };
}

/**
 * The stage between the bus and the ClickHouse writer: resource enrichment, PII scrubbing, log ↔ trace correlation,
 * RED input rows for every span (before sampling), then tail sampling of spans.
 *
 * Spans of undecided traces wait in memory (TailSampler), not in storage, and their batch is acknowledged only once
 * every trace it held has settled: dropped at the end of the decision wait, or kept and its held spans stored. The
 * handler itself resolves as soon as the batch's own rows are stored and hands the bus that later acknowledgement
 * (`BatchOutcome.release`), so a partition goes on flowing during the wait. On Kafka the offsets are committed only
 * then: a crash redelivers the held spans and their traces are decided again; replay dedup keeps what was already
 * stored from being stored twice. In-process, publishing is the acknowledgement (memory, as before).
 */
export class TelemetryProcessor {
  private readonly scrubber: PiiScrubber | null;
  private readonly sampler: TailSampler | null;
  private readonly correlations: BoundedCache<string>;
  private readonly expiryTimer: NodeJS.Timeout | null;
  readonly stats: ProcessorStats = {
    spans: 0, keptSpans: 0, droppedSpans: 0, heldSpans: 0, promotedTraces: 0, logs: 0, correlatedLogs: 0, metricPoints: 0,
  };

  constructor(private readonly deps: ProcessorDependencies, private readonly options: TelemetryProcessorOptions = {}) {
    this.scrubber = options.pii === false ? null : new PiiScrubber(options.pii);
    this.sampler = options.sampling ? new TailSampler(options.sampling, deps.now) : null;
    this.correlations = new BoundedCache(options.correlationCacheSize ?? 100_000, options.correlationTtlMs ?? 900_000, deps.now);
    // Decisions also expire on every batch; the timer frees memory when traffic stops.
    this.expiryTimer = this.sampler ? setInterval(() => this.sampler?.expire(), 1_000) : null;
    this.expiryTimer?.unref();
  }

  get undecidedTraces(): number {
    return this.sampler?.undecidedTraces ?? 0;
  }

  /** Spans held in memory now, awaiting their trace's decision. */
  get heldSpans(): number {
    return this.sampler?.heldSpans ?? 0;
  }

  /**
   * The bus handler: resolves once the batch's rows are stored or dropped by a sampling decision, with the release of
   * the spans it left held (see the class comment).
   */
  readonly handler: BatchHandler = (batch) => this.process(batch);

  stop(): void {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
  }

  async process(batch: DeliveredBatch): Promise<BatchOutcome> {
    const rows = new TableRows();
    const traces = new Map<string, HeldSpan[]>();
    for (const message of batch.messages) {
      switch (message.topic) {
        case OTEL_SPANS_V1: {
          const value = valueOf(message, otelSpansV1);
          for (const span of value.spans) {
            this.prepareSpan(span);
            rows.add('otel_red_input', message.id, redInputRow(span));
            // The contract puts one trace in a message; a stray span of another is stored under its own id.
            const messageId = span.traceId === value.traceId ? message.id : `${message.id}#${span.traceId}`;
            let trace = traces.get(span.traceId);
            if (!trace) traces.set(span.traceId, (trace = []));
            trace.push({ messageId, span });
          }
          break;
        }
        case OTEL_LOGS_V1:
          for (const log of valueOf(message, otelLogsV1).logs) rows.add('otel_logs', message.id, logRow(this.prepareLog(log)));
          break;
        case OTEL_METRICS_V1:
          for (const point of valueOf(message, otelMetricsV1).points) rows.add(METRIC_TABLES[point.type], message.id, metricRow(this.prepareMetric(point)));
          break;
        default:
          throw new Error(`TelemetryProcessor: unknown topic ${message.topic}`);
      }
    }
    // Correlation ids are known for the whole batch only now: spans of a trace may precede the one carrying it.
    for (const [traceId, spans] of traces) {
      const correlationId = this.correlations.get(traceId);
      if (correlationId) for (const { span } of spans) span.correlationId ||= correlationId;
    }
    const { released, held } = this.sample(traces, rows);
    await this.deps.writer.writeTables(rows.tables);
    for (const trace of released) trace.stored();
    this.stats.promotedTraces += released.length;
    return held.length === 0 ? undefined : { release: Promise.all(held).then(() => undefined) };
  }

  private sample(traces: Map<string, HeldSpan[]>, rows: TableRows): { released: ReleasedTrace[]; held: Promise<void>[] } {
    const released: ReleasedTrace[] = [];
    const held: Promise<void>[] = [];
    for (const [traceId, items] of traces) {
      this.stats.spans += items.length;
      const observation = this.sampler?.observe(traceId, items)
        ?? { state: 'decided' as const, decision: { keep: true, weight: 1, reason: 'hash' as const }, fresh: false, released: null };
      if (observation.state === 'undecided') {
        this.stats.heldSpans += items.length;
        held.push(observation.settled);
        continue;
      }
      const { decision } = observation;
      if (!decision.keep) {
        this.stats.droppedSpans += items.length;
        continue;
      }
      this.stats.keptSpans += items.length;
      // Kept by a rule at this batch: the spans held from earlier batches are stored with these.
      const stored = observation.released ? [...observation.released.spans, ...items] : items;
      if (observation.released) released.push(observation.released);
      for (const { messageId, span } of stored) {
        span.sampleWeight = decision.weight; // each decoded span is stored once: no copy needed
        rows.add('otel_traces', messageId, spanRow(span));
      }
    }
    return { released, held };
  }

  private prepareSpan(span: SpanV1): void {
    span.serviceName = enrichResource(span.resourceAttributes, span.serviceName, this.options.enrichment);
    if (this.scrubber) {
      const scrubber = this.scrubber;
      span.name = scrubber.scrub(span.name);
      span.statusMessage = scrubber.scrub(span.statusMessage);
      scrubber.scrubAttributes(span.resourceAttributes);
      scrubber.scrubAttributes(span.attributes, span.numericAttributes);
      for (const event of span.events) scrubber.scrubAttributes(event.attributes);
      for (const link of span.links) scrubber.scrubAttributes(link.attributes);
    }
    if (span.correlationId) this.correlations.set(span.traceId, span.correlationId);
  }

  private prepareLog(log: LogRecordV1): LogRecordV1 {
    this.stats.logs++;
    log.serviceName = enrichResource(log.resourceAttributes, log.serviceName, this.options.enrichment);
    if (this.scrubber) {
      log.body = this.scrubber.scrub(log.body);
      this.scrubber.scrubAttributes(log.resourceAttributes);
      this.scrubber.scrubAttributes(log.attributes, log.numericAttributes);
    }
    if (!log.correlationId && log.traceId) {
      const correlationId = this.correlations.get(log.traceId);
      if (correlationId) {
        log.correlationId = correlationId;
        this.stats.correlatedLogs++;
      }
    }
    return log;
  }

  private prepareMetric(point: MetricPointV1): MetricPointV1 {
    this.stats.metricPoints++;
    point.serviceName = enrichResource(point.resourceAttributes, point.serviceName, this.options.enrichment);
    if (this.scrubber) {
      this.scrubber.scrubAttributes(point.resourceAttributes);
      this.scrubber.scrubAttributes(point.attributes);
    }
    return point;
  }
}
