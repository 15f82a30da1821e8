import { TRACES } from './signals';
import { ExportTraceServiceRequest } from './proto';
import { isValidId } from './values';

/** A one-span OTLP/protobuf body with these fixed64 times and int64 attribute, decoded as the receiver does. */
function decodedSpan(startTimeUnixNano: string, endTimeUnixNano: string, count: string) {
  const request = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeSpans: [{
        spans: [{
          traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'GET /', startTimeUnixNano, endTimeUnixNano,
          attributes: [{ key: 'count', value: { intValue: count } }],
          events: [{ timeUnixNano: endTimeUnixNano, name: 'done' }],
        }],
      }],
    }],
  });
  const body = Buffer.from(ExportTraceServiceRequest.encode(request).finish());
  const [message] = TRACES.decode(body, 'protobuf').messages;
  return (message.value as { spans: Array<{ startTimeUnixNano: string; endTimeUnixNano: string; attributes: Record<string, string>; events: Array<{ timeUnixNano: string }> }> }).spans[0];
}

describe('OTLP values', () => {
  it.each([
    ['1795289967256499000', '1795289967258774000', '3'],
    ['0', '1', '0'],
    ['4294967295', '4294967296', '4294967296'], // around 2^32: high word 0 and 1
    ['18446744073709551615', '9223372036854775808', '-1'], // uint64 max, 2^63; a negative int64
    ['1', '2', '-9223372036854775808'], // int64 min
    ['1', '2', '9223372036854775807'], // int64 max
  ])('reads fixed64 times %s / %s and int64 %s exactly in decimal', (start, end, count) => {
    const span = decodedSpan(start, end, count);
    expect([span.startTimeUnixNano, span.endTimeUnixNano, span.events[0].timeUnixNano]).toEqual([start, end, end]);
    expect(span.attributes.count).toBe(count);
  });

  it('accepts ids of the right length that are not all zeros', () => {
    expect(isValidId(Buffer.alloc(16, 0), 16)).toBe(false);
    expect(isValidId(Buffer.from([...Buffer.alloc(15, 0), 1]), 16)).toBe(true);
    expect(isValidId(Buffer.alloc(8, 1), 16)).toBe(false);
    expect(isValidId(null, 8)).toBe(false);
  });
});
