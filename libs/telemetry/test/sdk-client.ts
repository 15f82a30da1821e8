/**
 * A plain Node process that sends telemetry with the real OpenTelemetry JS SDK exporters (they load node:http with a
 * dynamic import(), which Jest's CommonJS sandbox cannot run). Usage: node -r ./tools/register.js sdk-client.ts '<json>'
 * with {url, scenario: 'trace' | 'logs-metrics', protocol, gzip?, service}; prints a JSON result line.
 */
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as OTLPMetricExporterHttp } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportResultCode } from '@opentelemetry/core';

export interface SdkClientRequest {
  url: string;
  scenario: 'trace' | 'logs-metrics';
  protocol?: 'http/json' | 'http/protobuf';
  gzip?: boolean;
  service: string;
  traceId?: string;
  spanId?: string;
}

/** Collects ended spans, then exports them with the real exporter and reports its ExportResult. */
class Collecting {
  spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: string }> {
  return new Promise((resolve) => exporter.export(spans, (result) => resolve({ code: result.code, error: result.error?.message })));
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as SdkClientRequest;
  const compression = request.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  const resource = resourceFromAttributes({ 'service.name': request.service, 'deployment.environment': 'spec' });
  if (request.scenario === 'trace') {
    const exporter = request.protocol === 'http/json'
      ? new OTLPTraceExporterHttp({ url: `${request.url}/v1/traces`, compression })
      : new OTLPTraceExporterProto({ url: `${request.url}/v1/traces`, compression });
    const collecting = new Collecting();
    const provider = new BasicTracerProvider({ resource, spanProcessors: [collecting] });
    const tracer = provider.getTracer('vigil-e2e', '1.2.3');
    const parent = tracer.startSpan('POST /checkout', { kind: 1, attributes: { 'http.route': '/checkout', 'http.response.status_code': 502 } });
    const child = tracer.startSpan('charge card', { kind: 2, attributes: { 'retry.count': 2 } }, trace.setSpan(ROOT_CONTEXT, parent));
    child.addEvent('declined', { reason: 'insufficient funds' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    child.end();
    parent.end();
    const result = await exportSpans(exporter, collecting.spans);
    await exporter.shutdown();
    process.stdout.write(`${JSON.stringify({ traceId: parent.spanContext().traceId, ok: result.code === ExportResultCode.SUCCESS, error: result.error })}\n`);
    return;
  }
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(new OTLPLogExporterProto({ url: `${request.url}/v1/logs`, compression }))] });
  loggerProvider.getLogger('ledger-logger').emit({
    body: 'posting failed', severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', attributes: { 'ledger.entries': 3 },
    context: trace.setSpanContext(ROOT_CONTEXT, { traceId: request.traceId ?? '', spanId: request.spanId ?? '', traceFlags: 1 }),
  });
  await loggerProvider.forceFlush();
  await loggerProvider.shutdown();
  const meterProvider = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporterHttp({ url: `${request.url}/v1/metrics`, compression }), exportIntervalMillis: 60_000,
  })] });
  meterProvider.getMeter('ledger-meter').createCounter('ledger.postings').add(5, { outcome: 'failed' });
  await meterProvider.forceFlush();
  await meterProvider.shutdown();
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
