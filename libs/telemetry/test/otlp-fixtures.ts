import { randomBytes } from 'node:crypto';

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** An OTLP/JSON ExportTraceServiceRequest (ids in hex, as OTLP/JSON wants). */
export function jsonTraces(spans: Array<{ traceId: string; spanId: string; name?: string; parentSpanId?: string }>, service = 'checkout') {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'vigil-spec', version: '1.0.0' },
        spans: spans.map((span, index) => ({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          name: span.name ?? `op-${index}`,
          kind: 2,
          startTimeUnixNano: String(start),
          endTimeUnixNano: String(start + 1_500_000n),
          attributes: [
            { key: 'http.route', value: { stringValue: '/pay' } },
            { key: 'http.status_code', value: { intValue: '200' } },
            { key: 'retry.ratio', value: { doubleValue: 0.25 } },
          ],
          events: [{ timeUnixNano: String(start + 1000n), name: 'charged', attributes: [{ key: 'amount', value: { intValue: 42 } }] }],
          status: { code: 1 },
        })),
      }],
    }],
  };
}

/** The same request as objects for the generated protobuf types (ids as bytes). */
export function protoTraces(spans: Array<{ traceId: string; spanId: string; name?: string }>, service = 'checkout') {
  const json = jsonTraces(spans, service);
  for (const resource of json.resourceSpans) {
    for (const scope of resource.scopeSpans) {
      for (const span of scope.spans as unknown as Array<Record<string, unknown>>) {
        span.traceId = Buffer.from(span.traceId as string, 'hex');
        span.spanId = Buffer.from(span.spanId as string, 'hex');
        span.parentSpanId = Buffer.from(span.parentSpanId as string, 'hex');
      }
    }
  }
  return json as unknown as Record<string, unknown>;
}
