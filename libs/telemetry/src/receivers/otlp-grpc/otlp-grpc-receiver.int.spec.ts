import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { otelLogsV1, otelMetricsV1, otelSpansV1, type LogRecordV1, type MetricPointV1, type SpanV1 } from '@vigil/contracts';
import { InProcessTelemetryBus } from '../../bus/in-process-bus';
import { BusBackpressureError, type BusMessage, type BusSubscription, type OutgoingMessage, type TelemetryBus } from '../../bus/telemetry-bus';
import { ExportTraceServiceResponse } from '../../otlp/proto';
import { LOGS, METRICS, TRACES } from '../../otlp/signals';
import { hex } from '../../../test/otlp-fixtures';
import {
  gzipBomb, otlpJsonBytes, oversizedTraceRequest, traceRequest, truncatedProtobuf, undecodableProtobuf, wrongMessageType,
} from '../shared/malformed-requests';
import { RawCollectorClient, rawHttp2Export } from './grpc-test-client';
import { OtlpGrpcReceiver } from './otlp-grpc-receiver';

jest.setTimeout(60_000);

const MAX_MESSAGE_BYTES = 64 * 1024;

/** An in-process bus with a subscriber that keeps what was delivered, decoded per topic. */
async function collectingBus(): Promise<{ bus: InProcessTelemetryBus; delivered: BusMessage[]; subscription: BusSubscription }> {
  const bus = new InProcessTelemetryBus();
  const delivered: BusMessage[] = [];
  const subscription = await bus.subscribe({
    topics: [TRACES.topic, LOGS.topic, METRICS.topic], groupId: 'grpc-spec', handler: async (batch) => {
      delivered.push(...batch.messages);
    },
  });
  return { bus, delivered, subscription };
}

async function eventually<T>(read: () => T[], count: number): Promise<T[]> {
  const deadline = Date.now() + 10_000;
  while (read().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return read();
}

describe('OtlpGrpcReceiver', () => {
  let bus: InProcessTelemetryBus;
  let delivered: BusMessage[];
  let subscription: BusSubscription;
  let receiver: OtlpGrpcReceiver;
  let client: RawCollectorClient;
  const spans = () => delivered.filter((m) => m.topic === TRACES.topic).flatMap((m): SpanV1[] => otelSpansV1.decode(m.value).spans);
  const logs = () => delivered.filter((m) => m.topic === LOGS.topic).flatMap((m): LogRecordV1[] => otelLogsV1.decode(m.value).logs);
  const points = () => delivered.filter((m) => m.topic === METRICS.topic).flatMap((m): MetricPointV1[] => otelMetricsV1.decode(m.value).points);
  const url = () => `http://${receiver.address}`;

  beforeEach(async () => {
    ({ bus, delivered, subscription } = await collectingBus());
    receiver = new OtlpGrpcReceiver({ bus, port: 0, host: '127.0.0.1', maxMessageBytes: MAX_MESSAGE_BYTES });
    await receiver.start();
    client = new RawCollectorClient(receiver.address);
  });
  afterEach(async () => {
    client.close();
    await receiver.stop();
    await subscription.stop();
    await bus.stop();
  });

  /** The stored span pair, exported by the real OpenTelemetry SDK gRPC exporter. */
  async function exportSdkTrace(compression: CompressionAlgorithm): Promise<{ traceId: string; code: ExportResultCode; error?: Error }> {
    const ended: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop-grpc' }),
      spanProcessors: [{ onStart: () => undefined, onEnd: (span) => void ended.push(span), forceFlush: async () => undefined, shutdown: async () => undefined }],
    });
    const tracer = provider.getTracer('vigil-grpc-spec', '2.0.0');
    const start = (name: string, kind: SpanKind, attributes: Attributes, parent?: Span) =>
      tracer.startSpan(name, { kind, attributes }, parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT);
    const parent = start('GET /cart', SpanKind.SERVER, { 'http.route': '/cart', 'http.response.status_code': 504 });
    const child = start('SELECT cart', SpanKind.CLIENT, { 'db.rows': 3 }, parent);
    child.addEvent('cache miss', { 'cache.key': 'cart:42' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'query timeout' });
    for (const span of [child, parent]) span.end();
    const exporter = new OTLPTraceExporter({ url: url(), compression });
    const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(ended, resolve));
    await exporter.shutdown();
    return { traceId: parent.spanContext().traceId, ...result };
  }

  it.each([['uncompressed', CompressionAlgorithm.NONE], ['gzip', CompressionAlgorithm.GZIP]])(
    'receives spans from the OpenTelemetry SDK trace exporter over gRPC (%s) and publishes them keyed by trace id',
    async (_name, compression) => {
      const { traceId, code, error } = await exportSdkTrace(compression);
      expect(error).toBeUndefined();
      expect(code).toBe(ExportResultCode.SUCCESS);
      const received = await eventually(spans, 2);
      expect(received).toHaveLength(2);
      expect(delivered.map((m) => m.key)).toEqual([traceId]);
      const child = received.find((s) => s.name === 'SELECT cart')!;
      const parent = received.find((s) => s.name === 'GET /cart')!;
      expect(parent).toMatchObject({ traceId, kind: 'Server', serviceName: 'shop-grpc', scopeName: 'vigil-grpc-spec', scopeVersion: '2.0.0',
        numericAttributes: { 'http.response.status_code': 504 } });
      expect(child).toMatchObject({ traceId, parentSpanId: parent.spanId, kind: 'Client', statusCode: 'Error', statusMessage: 'query timeout',
        attributes: { 'db.rows': '3' } });
      expect(child.events[0]).toMatchObject({ name: 'cache miss', attributes: { 'cache.key': 'cart:42' } });
      expect(receiver.stats.accepted.traces).toBe(2);
    });

  it('receives logs and metrics from the OpenTelemetry SDK gRPC exporters', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'ledger' });
    const [traceId, spanId] = [hex(16), hex(8)];
    const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: url(), compression: CompressionAlgorithm.GZIP }))] });
    loggerProvider.getLogger('ledger-logger').emit({
      body: 'posting failed', severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', attributes: { 'ledger.entries': 3 },
      context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1 }),
    });
    await loggerProvider.forceFlush();
    await loggerProvider.shutdown();
    const meterProvider = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: url() }), exportIntervalMillis: 60_000 })] });
    meterProvider.getMeter('ledger-meter').createCounter('ledger.postings').add(5, { outcome: 'failed' });
    await meterProvider.forceFlush();
    await meterProvider.shutdown();

    const [log] = await eventually(logs, 1);
    expect(log).toMatchObject({ traceId, spanId, body: 'posting failed', severityText: 'ERROR', severityNumber: 17, serviceName: 'ledger',
      numericAttributes: { 'ledger.entries': 3 } });
    expect(delivered.find((m) => m.topic === LOGS.topic)!.key).toBe(traceId);
    const [point] = await eventually(points, 1);
    expect(point).toMatchObject({ type: 'sum', metricName: 'ledger.postings', serviceName: 'ledger', value: 5, isMonotonic: true, attributes: { outcome: 'failed' } });
  });

  it('answers rejected spans with partial_success (rejected_spans and error_message) and publishes the valid ones', async () => {
    const good = hex(16);
    const result = await client.export(TRACES, traceRequest([{ traceId: good, spanId: hex(8) }, { traceId: '00'.repeat(16), spanId: hex(8) }]));
    expect(result.code).toBe(GrpcStatus.OK);
    const response = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(result.response!), { longs: Number });
    expect(response).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringMatching(/invalid trace id/) } });
    expect((await eventually(spans, 1)).map((s) => s.traceId)).toEqual([good]);
  });

  it('answers UNAVAILABLE with a google.rpc.RetryInfo in grpc-status-details-bin when the bus pushes back, and publishes nothing', async () => {
    const refusing: TelemetryBus = {
      start: async () => undefined, stop: async () => undefined, subscribe: () => Promise.reject(new Error('not used')),
      publish: (_topic: string, _messages: OutgoingMessage[]) => Promise.reject(new BusBackpressureError('full', 3, 'in-process bus: otel.spans.v1 is full')),
    };
    const throttled = new OtlpGrpcReceiver({ bus: refusing, port: 0, host: '127.0.0.1' });
    await throttled.start();
    const throttledClient = new RawCollectorClient(throttled.address);
    try {
      const result = await throttledClient.export(TRACES, traceRequest());
      expect(result.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(result.details).toMatch(/full/);
      expect(result.statusDetails).toEqual({ code: GrpcStatus.UNAVAILABLE, message: expect.stringMatching(/full/), retryDelaySeconds: 3 });
      expect(throttled.stats.statuses[GrpcStatus.UNAVAILABLE]).toBe(1);
    } finally {
      throttledClient.close();
      await throttled.stop();
    }
  });

  describe('robustness: every bad request gets its status and the receiver still serves the next one', () => {
    afterEach(async () => {
      const traceId = hex(16);
      expect((await client.export(TRACES, traceRequest([{ traceId, spanId: hex(8) }]))).code).toBe(GrpcStatus.OK);
      expect((await eventually(spans, 1)).map((s) => s.traceId)).toContain(traceId);
    });

    it('INVALID_ARGUMENT for undecodable protobuf, OTLP/JSON sent as protobuf, and truncated protobuf', async () => {
      for (const body of [undecodableProtobuf(), otlpJsonBytes(), truncatedProtobuf()]) {
        expect((await client.export(TRACES, body)).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      }
      expect(delivered).toHaveLength(0);
    });

    it('INVALID_ARGUMENT for a logs request sent to the trace service (protobuf of the wrong message type)', async () => {
      expect((await client.export(TRACES, wrongMessageType())).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(delivered).toHaveLength(0);
    });

    it('RESOURCE_EXHAUSTED past maxMessageBytes, also when a small gzip message inflates past it', async () => {
      expect((await client.export(TRACES, oversizedTraceRequest(MAX_MESSAGE_BYTES))).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      const bomb = gzipBomb();
      expect(await rawHttp2Export(receiver.address, TRACES.grpcMethod, { compressed: true, declaredLength: bomb.length, payload: bomb }, { 'grpc-encoding': 'gzip' }))
        .toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(delivered).toHaveLength(0);
    });

    it('a gzip-flagged message that is not gzip and a frame cut short fail without publishing', async () => {
      const payload = Buffer.from('definitely not gzip');
      expect(await rawHttp2Export(receiver.address, TRACES.grpcMethod, { compressed: true, declaredLength: payload.length, payload }, { 'grpc-encoding': 'gzip' }))
        .toBe(GrpcStatus.INTERNAL); // gRPC's status for a message that fails to decompress
      const whole = traceRequest();
      expect(await rawHttp2Export(receiver.address, TRACES.grpcMethod, { compressed: false, declaredLength: whole.length + 100, payload: whole }))
        .not.toBe(GrpcStatus.OK);
      expect(delivered).toHaveLength(0);
    });

    it('UNIMPLEMENTED for a method the collector does not have', async () => {
      expect(await rawHttp2Export(receiver.address, '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
        { compressed: false, declaredLength: 0, payload: Buffer.alloc(0) })).toBe(GrpcStatus.UNIMPLEMENTED);
    });
  });

  it('stop() drains: an export in flight finishes with OK, later calls are refused', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const published: OutgoingMessage[] = [];
    const slow: TelemetryBus = {
      start: async () => undefined, stop: async () => undefined, subscribe: () => Promise.reject(new Error('not used')),
      publish: async (_topic, messages) => {
        await gate;
        published.push(...messages);
      },
    };
    const draining = new OtlpGrpcReceiver({ bus: slow, port: 0, host: '127.0.0.1' });
    await draining.start();
    const drainingClient = new RawCollectorClient(draining.address);
    try {
      const inFlight = drainingClient.export(TRACES, traceRequest());
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stopped = draining.stop();
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      expect((await inFlight).code).toBe(GrpcStatus.OK);
      await stopped;
      expect(published).toHaveLength(1);
      expect((await drainingClient.export(TRACES, traceRequest())).code).toBe(GrpcStatus.UNAVAILABLE);
    } finally {
      drainingClient.close();
    }
  });
});
