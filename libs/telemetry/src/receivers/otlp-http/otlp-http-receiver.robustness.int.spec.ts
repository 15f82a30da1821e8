import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { InProcessTelemetryBus } from '../../bus/in-process-bus';
import type { BusMessage, BusSubscription } from '../../bus/telemetry-bus';
import { TRACES } from '../../otlp/signals';
import { jsonTraces, hex } from '../../../test/otlp-fixtures';
import {
  gzipBomb, otlpJsonBytes, oversizedTraceRequest, traceRequest, truncatedProtobuf, undecodableProtobuf, wrongMessageType,
} from '../shared/malformed-requests';
import { OtlpHttpReceiver } from './otlp-http-receiver';

jest.setTimeout(60_000);

const MAX_BODY_BYTES = 64 * 1024;
const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };
const GZIP = { 'content-encoding': 'gzip' };

/** Writes raw bytes on a fresh connection and returns the status line's code, or 0 if the server just closed. */
function rawHttp(port: number, bytes: string | Buffer, endAfterWrite: boolean): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.write(bytes, () => (endAfterWrite ? socket.end() : setTimeout(() => socket.destroy(), 300)));
  });
}

describe('OtlpHttpReceiver robustness: every bad request gets its status, nothing is published, and the next valid request is served', () => {
  let bus: InProcessTelemetryBus;
  let delivered: BusMessage[];
  let subscription: BusSubscription;
  let receiver: OtlpHttpReceiver;
  const post = (body: Buffer | string, headers: Record<string, string>, path = '/v1/traces') =>
    fetch(`${receiver.url}${path}`, { method: 'POST', body, headers });

  beforeEach(async () => {
    bus = new InProcessTelemetryBus();
    delivered = [];
    subscription = await bus.subscribe({ topics: [TRACES.topic], groupId: 'robustness', handler: async (batch) => void delivered.push(...batch.messages) });
    receiver = new OtlpHttpReceiver({ bus, port: 0, host: '127.0.0.1', maxBodyBytes: MAX_BODY_BYTES });
    await receiver.start();
  });
  afterEach(async () => {
    expect(delivered).toHaveLength(0);
    const valid = await post(traceRequest(), PROTOBUF);
    expect(valid.status).toBe(200);
    await receiver.stop();
    await subscription.stop();
    await bus.stop();
  });

  const cases: Array<[string, number, () => { body: Buffer | string; headers: Record<string, string> }]> = [
    ['undecodable protobuf', 400, () => ({ body: undecodableProtobuf(), headers: PROTOBUF })],
    ['truncated protobuf', 400, () => ({ body: truncatedProtobuf(), headers: PROTOBUF })],
    ['OTLP/JSON declared as protobuf', 400, () => ({ body: otlpJsonBytes(), headers: PROTOBUF })],
    ['protobuf declared as JSON', 400, () => ({ body: traceRequest(), headers: JSON_TYPE })],
    ['an ExportLogsServiceRequest posted to /v1/traces', 400, () => ({ body: wrongMessageType(), headers: PROTOBUF })],
    ['a JSON array', 400, () => ({ body: '[]', headers: JSON_TYPE })],
    ['JSON null', 400, () => ({ body: 'null', headers: JSON_TYPE })],
    ['invalid UTF-8 JSON', 400, () => ({ body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: JSON_TYPE })],
    ['a body declared gzip that is not', 400, () => ({ body: 'not gzip at all', headers: { ...PROTOBUF, ...GZIP } })],
    ['a gzip body cut short', 400, () => {
      const whole = gzipSync(traceRequest());
      return { body: whole.subarray(0, whole.length - 10), headers: { ...PROTOBUF, ...GZIP } };
    }],
    ['a valid gzip member followed by garbage', 400, () => ({ body: Buffer.concat([gzipSync(traceRequest()), Buffer.from('trailing garbage')]), headers: { ...PROTOBUF, ...GZIP } })],
    ['a body over maxBodyBytes', 413, () => ({ body: oversizedTraceRequest(MAX_BODY_BYTES), headers: PROTOBUF })],
    ['a gzip body that inflates past the limit', 413, () => ({ body: gzipBomb(), headers: { ...PROTOBUF, ...GZIP } })],
    ['text/plain', 415, () => ({ body: 'hello', headers: { 'content-type': 'text/plain' } })],
    ['application/grpc (a gRPC client pointed at :4318)', 415, () => ({ body: traceRequest(), headers: { 'content-type': 'application/grpc' } })],
    ['no content type', 415, () => ({ body: traceRequest(), headers: {} })],
    ['an unsupported content encoding', 415, () => ({ body: traceRequest(), headers: { ...PROTOBUF, 'content-encoding': 'zstd' } })],
  ];

  it.each(cases)('%s → %i', async (_name, status, make) => {
    const { body, headers } = make();
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    await response.arrayBuffer();
  });

  it('answers an error body in the encoding the request declared (google.rpc.Status as JSON for JSON)', async () => {
    const response = await post('{"resourceSpans": "nope"}', JSON_TYPE);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ code: 3, message: expect.any(String) });
  });

  it('ignores unknown JSON fields as OTLP/JSON requires: a logs body posted as JSON to /v1/traces is an empty, accepted request', async () => {
    const response = await post(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] }), JSON_TYPE);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  });

  it('survives a body shorter than its Content-Length, garbage instead of HTTP, and a client that disconnects mid-body', async () => {
    const head = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n`;
    const statuses = [
      await rawHttp(receiver.port, `${head}${'x'.repeat(10)}`, true),
      await rawHttp(receiver.port, '\x16\x03\x01 definitely not http\r\n\r\n', true),
      await rawHttp(receiver.port, `${head}${'x'.repeat(10)}`, false),
    ];
    expect(statuses).toEqual([400, 400, 0]);
    expect(receiver.stats.statuses[200] ?? 0).toBe(0);
  });

  it('answers 429 with Retry-After once the in-process channel is full, and nothing it refused is delivered', async () => {
    await subscription.stop();
    await receiver.stop();
    const full = new InProcessTelemetryBus({ capacity: 1, retryAfterSeconds: 4 });
    receiver = new OtlpHttpReceiver({ bus: full, port: 0, host: '127.0.0.1' });
    await receiver.start();
    const body = JSON.stringify(jsonTraces([{ traceId: hex(16), spanId: hex(8) }]));
    expect((await post(body, JSON_TYPE)).status).toBe(200);
    const refused = await post(body, JSON_TYPE);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('4');
    expect(full.backlog(TRACES.topic)).toBe(1);
    // The shared afterEach posts to the receiver: give it a drained channel again.
    await receiver.stop();
    receiver = new OtlpHttpReceiver({ bus, port: 0, host: '127.0.0.1' });
    subscription = await bus.subscribe({ topics: [TRACES.topic], groupId: 'robustness', handler: async (batch) => void delivered.push(...batch.messages) });
    await receiver.start();
  });
});
