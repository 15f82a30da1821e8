import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, otelLogsV1, otelMetricsV1, otelSpansV1,
  type LogRecordV1, type MetricPointV1, type SpanV1,
} from '@vigil/contracts';
import type { BatchHandler, DeliveredBatch } from '../bus/telemetry-bus';
import { durationText, logRow, METRIC_TABLES, metricRow, spanRow, type Row } from '../clickhouse/rows';
import { unixSeconds } from '../otlp/unix-nanos';
import { TableRows, type ClickHouseTelemetryWriter } from '../clickhouse/writer';
import { BoundedCache } from './bounded-cache';
import { enrichResource, type EnrichmentOptions } from './enrichment';
import { PiiScrubber, type PiiOptions } from './pii';
import { TailSampler, type TailSamplingOptions } from './tail-sampler';

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
  client: ClickHouseClient;
  database?: string;
  writer: ClickHouseTelemetryWriter;
  /** Clock of the decision wait and caches. Default Date.now. */
  now?: () => number;
}

export interface ProcessorStats {
  spans: number;
  keptSpans: number;
  droppedSpans: number;
  undecidedSpans: number;
  /** Traces kept by a rule whose undecided spans were copied to otel_traces (an INSERT … SELECT each batch). */
  promotedTraces: number;
  logs: number;
  correlatedLogs: number;
  metricPoints: number;
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

const UNDECIDED_TABLE = 'otel_traces_undecided';

/**
 * The stage between the bus and the ClickHouse writer: resource enrichment, PII scrubbing, log ↔ trace correlation,
 * RED input rows for every span (before sampling), then tail sampling of spans.
 *
 * Why spans of undecided traces go to ClickHouse instead of waiting in memory: the Kafka bus hands a partition's
 * batches one at a time, so a handler held for the decision wait would cap a partition at one batch per wait, and
 * the rest of a trace would sit behind it. Here a batch is acknowledged as soon as each of its spans is written —
 * to otel_traces (kept), to otel_traces_undecided (awaiting a decision: durable, short TTL) — or dropped by a
 * recorded decision, and its RED rows are written. When a later error or slow span keeps the trace, its undecided
 * spans are copied over (INSERT … SELECT) before that later batch is acknowledged. Nothing acknowledged is lost,
 * and a crash loses only in-memory decisions: undecided spans stay queryable by trace id and are promoted if the
 * trace turns out erroneous after the restart.
 */
export class TelemetryProcessor {
  private readonly database: string;
  private readonly scrubber: PiiScrubber | null;
  private readonly sampler: TailSampler | null;
  private readonly correlations: BoundedCache<string>;
  private readonly expiryTimer: NodeJS.Timeout | null;
  readonly stats: ProcessorStats = {
    spans: 0, keptSpans: 0, droppedSpans: 0, undecidedSpans: 0, promotedTraces: 0, logs: 0, correlatedLogs: 0, metricPoints: 0,
  };

  constructor(private readonly deps: ProcessorDependencies, private readonly options: TelemetryProcessorOptions = {}) {
    this.database = deps.database ?? 'default';
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

  /** The bus handler: resolves once every item of the batch is stored or dropped by a sampling decision. */
  readonly handler: BatchHandler = (batch) => this.process(batch);

  stop(): void {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
  }

  async process(batch: DeliveredBatch): Promise<void> {
    const rows = new TableRows();
    const traces = new Map<string, Array<{ messageId: string; span: SpanV1 }>>();
    for (const message of batch.messages) {
      switch (message.topic) {
        case OTEL_SPANS_V1:
          for (const span of otelSpansV1.decode(message.value).spans) {
            this.prepareSpan(span);
            rows.add('otel_red_input', message.id, redInputRow(span));
            let trace = traces.get(span.traceId);
            if (!trace) traces.set(span.traceId, (trace = []));
            trace.push({ messageId: message.id, span });
          }
          break;
        case OTEL_LOGS_V1:
          for (const log of otelLogsV1.decode(message.value).logs) rows.add('otel_logs', message.id, logRow(this.prepareLog(log)));
          break;
        case OTEL_METRICS_V1:
          for (const point of otelMetricsV1.decode(message.value).points) rows.add(METRIC_TABLES[point.type], message.id, metricRow(this.prepareMetric(point)));
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
    const promote = this.sample(traces, rows);
    const undecided = this.deps.writer.writeTables(new Map([[UNDECIDED_TABLE, rows.take(UNDECIDED_TABLE)]]));
    for (const traceId of promote.undecidedTraceIds) this.sampler?.addUndecidedWrite(traceId, undecided);
    await Promise.all([
      this.deps.writer.writeTables(rows.tables),
      undecided,
      this.promote(promote.keptTraceIds, promote.earlierWrites, batch),
    ]);
  }

  private sample(traces: Map<string, Array<{ messageId: string; span: SpanV1 }>>, rows: TableRows) {
    const keptTraceIds: string[] = [];
    const undecidedTraceIds: string[] = [];
    const earlierWrites: Promise<void>[] = [];
    for (const [traceId, items] of traces) {
      this.stats.spans += items.length;
      const observation = this.sampler?.observe(traceId, items.map((item) => item.span))
        ?? { state: 'decided' as const, decision: { keep: true, weight: 1, reason: 'hash' as const }, fresh: false, earlierWrites: [] };
      if (observation.state === 'undecided') {
        undecidedTraceIds.push(traceId);
        this.stats.undecidedSpans += items.length;
        for (const { messageId, span } of items) rows.add(UNDECIDED_TABLE, messageId, spanRow(span));
        continue;
      }
      const { decision } = observation;
      if (!decision.keep) {
        this.stats.droppedSpans += items.length;
        continue;
      }
      this.stats.keptSpans += items.length;
      for (const { messageId, span } of items) {
        span.sampleWeight = decision.weight; // each decoded span is stored once: no copy needed
        rows.add('otel_traces', messageId, spanRow(span));
      }
      // Kept by a rule at this batch: earlier spans may wait in the undecided table (also after a restart).
      if (observation.fresh && decision.reason !== 'hash') {
        keptTraceIds.push(traceId);
        earlierWrites.push(...observation.earlierWrites);
      }
    }
    return { keptTraceIds, undecidedTraceIds, earlierWrites };
  }

  /** Copies the undecided spans of newly kept traces into otel_traces, after their own writes finished. */
  private async promote(traceIds: string[], earlierWrites: Promise<void>[], batch: DeliveredBatch): Promise<void> {
    if (traceIds.length === 0) return;
    await Promise.all(earlierWrites);
    // The token makes a redelivered batch's promotion a no-op instead of a second copy.
    const token = `promote:${createHash('sha256').update(batch.messages.map((message) => message.id).join('\n')).update(traceIds.join(',')).digest('hex')}`;
    const db = `\`${this.database}\``;
    await this.deps.writer.untilDone(async () => {
      await this.deps.client.command({
        query: `INSERT INTO ${db}.otel_traces SELECT * EXCEPT (UndecidedAt) FROM ${db}.${UNDECIDED_TABLE} WHERE TraceId IN {traceIds:Array(String)}`,
        query_params: { traceIds },
        clickhouse_settings: { ...this.deps.writer.insertSettings, insert_deduplication_token: token },
      });
    });
    this.stats.promotedTraces += traceIds.length;
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
