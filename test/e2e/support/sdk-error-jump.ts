/**
 * Sends RED-shaped traffic through the real OpenTelemetry JS SDK (BasicTracerProvider + OTLP/HTTP protobuf exporter),
 * with explicit span times so minutes of history arrive at once: `minutes` minutes of `perMinute` server spans
 * starting at `from` (epoch ms), the ones from `errorsFrom` on failing at `errorShare`. Runs as a plain Node process
 * (the exporters load node:http with a dynamic import() that Jest's sandbox cannot run); prints a JSON result line.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

interface Request {
  url: string;
  service: string;
  operation: string;
  from: number;
  minutes: number;
  perMinute: number;
  errorsFrom: number;
  errorShare: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as Request;
  const ended: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': request.service, 'deployment.environment': 'production' }),
    spanProcessors: [{ onStart() {}, onEnd: (span: ReadableSpan) => void ended.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const tracer = provider.getTracer('vigil-e2e');
  let errors = 0;
  for (let m = 0; m < request.minutes; m++) {
    const minute = request.from + m * 60_000;
    for (let i = 0; i < request.perMinute; i++) {
      const start = minute + Math.floor((i * 60_000) / request.perMinute);
      const span = tracer.startSpan(request.operation, { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': request.operation, 'user.email': `user${i}@example.com` } });
      const failing = minute >= request.errorsFrom && i % Math.round(1 / request.errorShare) === 0;
      if (failing) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 502' });
        errors++;
      }
      span.end(start + 40 + ((i * 7) % 30));
    }
  }
  const exporter = new OTLPTraceExporter({ url: `${request.url}/v1/traces` });
  for (let i = 0; i < ended.length; i += 500) {
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(ended.slice(i, i + 500), resolve));
    if (result.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${result.error?.message ?? 'unknown'}`);
  }
  await exporter.shutdown();
  process.stdout.write(`${JSON.stringify({ spans: ended.length, errors })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
