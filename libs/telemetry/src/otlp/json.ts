/**
 * OTLP/JSON differs from the canonical proto3 JSON mapping in one place: trace and span ids are hex strings, not
 * base64 (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). This turns those ids into bytes so the
 * generated `fromObject` does all the rest (int64 as string or number, enums as integers, bytes as base64).
 */
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
/** An id that is not hex becomes one byte: a length no trace id (16) or span id (8) has, so the item is rejected. */
const INVALID_ID = Buffer.alloc(1);

export function otlpJsonIdsToBytes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(otlpJsonIdsToBytes);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (ID_FIELDS.has(key) && typeof value === 'string') out[key] = HEX.test(value) ? Buffer.from(value, 'hex') : INVALID_ID;
    else out[key] = otlpJsonIdsToBytes(value);
  }
  return out;
}
