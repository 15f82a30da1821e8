import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1 } from '@vigil/contracts';
import { InProcessTelemetryBus } from './bus/in-process-bus';
import type { BusSubscription, TelemetryBus } from './bus/telemetry-bus';
import { ClickHouseMigrator } from './clickhouse/migrator';
import type { SchemaOptions } from './clickhouse/migrations';
import { ClickHouseTelemetryWriter, type ClickHouseWriterOptions } from './clickhouse/writer';
import { TelemetryProcessor, type TelemetryProcessorOptions } from './processor/telemetry-processor';
import { OtlpHttpReceiver, type OtlpHttpReceiverOptions } from './receivers/otlp-http/otlp-http-receiver';

export interface TelemetryPipelineOptions {
  clickhouse: ClickHouseClient;
  /** Default: an InProcessTelemetryBus (the embedded default); pass a KafkaTelemetryBus to scale out. */
  bus?: TelemetryBus;
  /** Receiver settings (port 4318 by default). Omit `receiver: false` to run only the writer (processor role). */
  receiver?: Omit<OtlpHttpReceiverOptions, 'bus'> | false;
  /** Writer settings; false runs only the receiver (ingest role). */
  writer?: Omit<ClickHouseWriterOptions, 'client' | 'database'> | false;
  /** Enrichment, PII scrubbing, correlation, RED and tail sampling between the bus and the writer. */
  processor?: TelemetryProcessorOptions;
  schema?: SchemaOptions;
  /** Consumer group of the ClickHouse writer. Default 'vigil-clickhouse-writer'. */
  groupId?: string;
}

/**
 * Receiver → bus → processor → ClickHouse writer, as one start()/stop() unit. Roles can be split across processes: ingest
 * (`writer: false`) and processor (`receiver: false`) sharing a Kafka bus.
 */
export class TelemetryPipeline {
  readonly bus: TelemetryBus;
  readonly receiver: OtlpHttpReceiver | null;
  readonly writer: ClickHouseTelemetryWriter | null;
  readonly processor: TelemetryProcessor | null;
  private subscription: BusSubscription | null = null;

  constructor(private readonly options: TelemetryPipelineOptions) {
    this.bus = options.bus ?? new InProcessTelemetryBus();
    this.receiver = options.receiver === false ? null : new OtlpHttpReceiver({ ...options.receiver, bus: this.bus });
    // In-process message ids restart with the process: scope them to it so replay dedup never mistakes new for old.
    const messageIdScope = this.bus instanceof InProcessTelemetryBus ? `${randomUUID()}:` : '';
    this.writer = options.writer === false ? null
      : new ClickHouseTelemetryWriter({
        messageIdScope,
        insertSettings: options.schema?.cluster ? { distributed_foreground_insert: 1 } : undefined,
        ...options.writer,
        client: options.clickhouse,
        database: options.schema?.database,
      });
    this.processor = this.writer
      ? new TelemetryProcessor({ writer: this.writer }, options.processor)
      : null;
  }

  async start(): Promise<void> {
    await this.bus.start();
    if (this.writer) {
      await new ClickHouseMigrator(this.options.clickhouse, this.options.schema).migrate();
      await this.writer.start();
      this.subscription = await this.bus.subscribe({
        topics: [OTEL_SPANS_V1, OTEL_LOGS_V1, OTEL_METRICS_V1],
        groupId: this.options.groupId ?? 'vigil-clickhouse-writer',
        handler: this.processor?.handler ?? this.writer.handler,
      });
    }
    await this.receiver?.start();
  }

  /** Stops intake first, then lets the writer flush what the bus delivered. */
  async stop(): Promise<void> {
    await this.receiver?.stop();
    await this.subscription?.stop();
    this.subscription = null;
    await this.writer?.stop();
    this.processor?.stop();
    await this.bus.stop();
  }
}
