import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Reader } from 'protobufjs/minimal';
import { otelSpansV1, type OtelSpansValueV1 } from '@vigil/contracts';
import { BusBackpressureError, type OutgoingMessage, type TelemetryBus } from '../../bus/telemetry-bus';
import { InProcessTelemetryBus } from '../../bus/in-process-bus';
import { ExportLogsServiceRequest, ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../otlp/proto';
import { hex, jsonTraces, protoTraces } from '../../../test/otlp-fixtures';
import { OtlpHttpReceiver } from './otlp-http-receiver';

jest.setTimeout(60_000);

/** A bus double that records publishes and can be told to refuse. */
class RecordingBus implements TelemetryBus {
  published: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  refuse: BusBackpressureError | Error | null = null;
  async start() {}
  async stop() {}
  async publish(topic: string, messages: OutgoingMessage[]) {
    if (this.refuse) throw this.refuse;
    this.published.push({ topic, messages });
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  spans(): OtelSpansValueV1[] {
    return this.published.filter((p) => p.topic === 'otel.spans.v1').flatMap((p) => p.messages.map((m) => otelSpansV1.decode(m.value)));
  }
}

/** google.rpc.Status from a protobuf error body, read with protobufjs's reader. */
function decodeStatus(body: Buffer): { code: number; message: string } {
  const reader = Reader.create(body);
  const status = { code: 0, message: '' };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) status.code = reader.int32();
    else if (tag >>> 3 === 2) status.message = reader.string();
    else reader.skipType(tag & 7);
  }
  return status;
}

describe('OtlpHttpReceiver', () => {
  let bus: RecordingBus;
  let receiver: OtlpHttpReceiver;
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${receiver.url}${path}`, { method: 'POST', body, headers });

  beforeEach(async () => {
    bus = new RecordingBus();
    receiver = new OtlpHttpReceiver({ bus, port: 0, host: '127.0.0.1', maxBodyBytes: 64 * 1024 });
    await receiver.start();
  });
  afterEach(() => receiver.stop());

  it('accepts protobuf traces, answers an empty ExportTraceServiceResponse in protobuf, and publishes one message per trace keyed by trace id', async () => {
    const [traceA, traceB] = [hex(16), hex(16)];
    const body = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(protoTraces([
      { traceId: traceA, spanId: hex(8) }, { traceId: traceA, spanId: hex(8) }, { traceId: traceB, spanId: hex(8) },
    ]))).finish());
    const response = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    const decoded = ExportTraceServiceResponse.decode(Buffer.from(await response.arrayBuffer()));
    expect(decoded.partialSuccess ?? null).toBeNull();

    const messages = bus.published.flatMap((p) => p.messages);
    expect(messages.map((m) => m.key).sort()).toEqual([traceA, traceB].sort());
    const spans = bus.spans().flatMap((v) => v.spans);
    expect(spans).toHaveLength(3);
    expect(spans[0]).toMatchObject({
      serviceName: 'checkout', kind: 'Server', statusCode: 'Ok', scopeName: 'vigil-spec',
      attributes: { 'http.route': '/pay', 'http.status_code': '200', 'retry.ratio': '0.25' },
      numericAttributes: { 'http.status_code': 200, 'retry.ratio': 0.25 },
    });
    expect(BigInt(spans[0].endTimeUnixNano) - BigInt(spans[0].startTimeUnixNano)).toBe(1_500_000n);
    expect(spans[0].events[0]).toMatchObject({ name: 'charged', attributes: { amount: '42' } });
  });

  it('accepts OTLP/JSON with hex ids and reports a span with an invalid trace id as partial success, in JSON', async () => {
    const traceId = hex(16);
    const request = jsonTraces([
      { traceId, spanId: hex(8) },
      { traceId: '00000000000000000000000000000000', spanId: hex(8) },
      { traceId: 'not-hex', spanId: hex(8) },
    ]);
    const response = await post('/v1/traces', JSON.stringify(request), { 'content-type': 'application/json; charset=utf-8' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json() as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(Number(body.partialSuccess.rejectedSpans)).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/invalid trace id/);
    expect(bus.spans().flatMap((v) => v.spans).map((s) => s.traceId)).toEqual([traceId]);
  });

  it('decodes gzip bodies', async () => {
    const traceId = hex(16);
    const body = gzipSync(Buffer.from(JSON.stringify(jsonTraces([{ traceId, spanId: hex(8) }]))));
    const response = await post('/v1/traces', body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(bus.spans()[0].traceId).toBe(traceId);
  });

  it('accepts logs and metrics', async () => {
    const traceId = hex(16);
    const logs = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeLogs: [{ logRecords: [
        { timeUnixNano: '1700000000000000000', severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'boom' }, traceId: Buffer.from(traceId, 'hex') },
        { timeUnixNano: '1700000000000000001', body: { stringValue: 'no trace' } },
      ] }] }],
    })).finish();
    const logsResponse = await post('/v1/logs', Buffer.from(logs), { 'content-type': 'application/x-protobuf' });
    expect(logsResponse.status).toBe(200);
    const logMessages = bus.published.find((p) => p.topic === 'otel.logs.v1')!.messages;
    expect(logMessages.map((m) => m.key).sort()).toEqual([traceId, null].sort());

    const metrics = {
      resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeMetrics: [{ metrics: [
        { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000', asInt: '7' }] } },
        { name: 'requests', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: '1700000000000000000', asDouble: 3 }] } },
        { name: 'latency', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '1700000000000000000', count: '3', sum: 0.6, bucketCounts: ['1', '2'], explicitBounds: [0.1] }] } },
        { name: '', gauge: { dataPoints: [{ asInt: '1' }] } },
      ] }] }],
    };
    const metricsResponse = await post('/v1/metrics', JSON.stringify(metrics), { 'content-type': 'application/json' });
    expect(metricsResponse.status).toBe(200);
    const body = await metricsResponse.json() as { partialSuccess: { rejectedDataPoints: string } };
    expect(Number(body.partialSuccess.rejectedDataPoints)).toBe(1);
    expect(bus.published.find((p) => p.topic === 'otel.metrics.v1')!.messages).toHaveLength(3);
  });

  it('answers 400 with a google.rpc.Status for undecodable protobuf, invalid JSON and JSON of the wrong shape', async () => {
    const garbage = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeStatus(Buffer.from(await garbage.arrayBuffer()))).toMatchObject({ code: 3, message: expect.stringMatching(/protobuf/) });

    const invalidJson = await post('/v1/traces', '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(invalidJson.status).toBe(400);
    expect(await invalidJson.json()).toMatchObject({ code: 3, message: expect.stringMatching(/JSON/) });

    const wrongShape = await post('/v1/traces', '{"resourceSpans": "nope"}', { 'content-type': 'application/json' });
    expect(wrongShape.status).toBe(400);

    const badGzip = await post('/v1/traces', Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect(bus.published).toHaveLength(0);
  });

  it('answers 415 for an unknown content type or encoding, 404 and 405 for wrong routes and methods', async () => {
    expect((await post('/v1/traces', 'hello', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/traces', '{}', { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post('/v1/nothing', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    const get = await fetch(`${receiver.url}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 413 past the size limit: declared by Content-Length, or counted while a chunked body streams in', async () => {
    const big = Buffer.alloc(100 * 1024, 1);
    expect((await post('/v1/traces', big, { 'content-type': 'application/x-protobuf' })).status).toBe(413);

    // Chunked, no Content-Length: the receiver must stop at the limit while the client is still sending.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (error) => (error.message.includes('socket hang up') || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += 16 * 1024;
          if (!req.write(Buffer.alloc(16 * 1024, 1))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);

    // A gzip bomb: small on the wire, over the limit once inflated.
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect((await post('/v1/traces', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(413);
    expect(bus.published).toHaveLength(0);
  });

  it('answers 429 / 503 with Retry-After when the bus refuses, and acknowledges nothing it did not hand over', async () => {
    const body = JSON.stringify(jsonTraces([{ traceId: hex(16), spanId: hex(8) }]));
    bus.refuse = new BusBackpressureError('full', 3, 'full');
    const full = await post('/v1/traces', body, { 'content-type': 'application/json' });
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('3');
    bus.refuse = new BusBackpressureError('unavailable', 2, 'broker down');
    const down = await post('/v1/traces', body, { 'content-type': 'application/json' });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('2');
    bus.refuse = new Error('unexpected');
    expect((await post('/v1/traces', body, { 'content-type': 'application/json' })).status).toBe(503);
    bus.refuse = null;
    expect((await post('/v1/traces', body, { 'content-type': 'application/json' })).status).toBe(200);
    expect(bus.published).toHaveLength(1);
  });

  it('pushes back with 429 when the in-process channel is full, and accepts again once a consumer drains it', async () => {
    await receiver.stop();
    const channel = new InProcessTelemetryBus({ capacity: 3, retryAfterSeconds: 1 });
    receiver = new OtlpHttpReceiver({ bus: channel, port: 0, host: '127.0.0.1' });
    await receiver.start();
    const send = () => post('/v1/traces', JSON.stringify(jsonTraces([{ traceId: hex(16), spanId: hex(8) }])), { 'content-type': 'application/json' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    const received: string[] = [];
    const subscription = await channel.subscribe({ topics: ['otel.spans.v1'], groupId: 'spec', handler: async (batch) => {
      received.push(...batch.messages.map((m) => m.id));
    } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toHaveLength(3);
    expect((await send()).status).toBe(200);
    await subscription.stop();
  });

  it('survives truncated and aborted requests', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(10, 1));
      setTimeout(() => { req.destroy(); resolve(); }, 50);
    });
    const body = JSON.stringify(jsonTraces([{ traceId: hex(16), spanId: hex(8) }]));
    expect((await post('/v1/traces', body, { 'content-type': 'application/json' })).status).toBe(200);
  });
});
