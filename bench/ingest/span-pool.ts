import { readFileSync, writeFileSync } from 'node:fs';
import { encodeSlice, Scenario } from '@vigil/scenarios';

/** Pre-encoded ExportTraceServiceRequest bodies, all with the same number of spans. */
export interface SpanPool {
  readonly bodies: Buffer[];
  readonly spansPerBody: number;
  /** Per body: where each span's 16-byte trace_id value starts in it (see renewTraceIds). */
  readonly traceIdOffsets: Uint32Array[];
}

/**
 * The body with every span's trace id changed for `pass` over the pool (pass 0: as it is): its last 4 bytes XORed
 * with the pass number, so each pass sends new traces, the spans of one trace still share one id, and the changed
 * bytes are the random ones a trace-id hash samples by. Cycling the same trace ids would let tail sampling drop the
 * second pass on a remembered decision, cheaper than live traffic where every trace is new.
 */
export function renewTraceIds(body: Buffer, offsets: Uint32Array, pass: number): Buffer {
  if (pass === 0) return body;
  const renewed = Buffer.from(body);
  for (const offset of offsets) renewed.writeUInt32BE((renewed.readUInt32BE(offset + 12) ^ pass) >>> 0, offset + 12);
  return renewed;
}

/**
 * Offsets of the span trace ids in an encoded body: Span.trace_id is field 1, length-delimited (tag 0x0a, length
 * 0x10), holding one of `traceIds`. A chance match of 18 bytes elsewhere would need a known trace id inside another
 * value, which pool data does not hold.
 */
export function traceIdOffsetsOf(body: Buffer, traceIds: ReadonlySet<string>): Uint32Array {
  const offsets: number[] = [];
  for (let at = body.indexOf(0x0a); at >= 0 && at + 18 <= body.length; at = body.indexOf(0x0a, at + 1)) {
    if (body[at + 1] === 0x10 && traceIds.has(body.toString('hex', at + 2, at + 18))) offsets.push(at + 2);
  }
  return Uint32Array.from(offsets);
}

/**
 * Shop traffic (a bad deploy halfway, so errors and exceptions are in the mix) encoded into bodies of exactly
 * `spansPerBody` spans, timestamped in the last minutes so no TTL or partition edge interferes.
 */
export function buildSpanPool(options: { spans: number; spansPerBody: number; seed: number; onProgress?: (spans: number) => void }): SpanPool {
  const tracesPerSecond = 2_000;
  const windowMs = 5_000;
  const start = Date.now() - 15 * 60_000;
  const scenario = new Scenario({ seed: options.seed, tracesPerSecond, fault: { kind: 'bad-deploy', at: start + 10_000 } });
  const bodies: Buffer[] = [];
  const traceIdOffsets: Uint32Array[] = [];
  for (let from = start; bodies.length * options.spansPerBody < options.spans; from += windowMs) {
    const slice = scenario.generate(from, from + windowMs);
    const whole = slice.spans.length - (slice.spans.length % options.spansPerBody);
    const encoded = encodeSlice({ ...slice, spans: slice.spans.slice(0, whole), logs: [], metrics: [] }, { maxItemsPerRequest: options.spansPerBody }).traces;
    const traceIds = new Set(slice.spans.map((span) => Buffer.from(span.traceId).toString('hex')));
    bodies.push(...encoded);
    traceIdOffsets.push(...encoded.map((body) => traceIdOffsetsOf(body, traceIds)));
    options.onProgress?.(bodies.length * options.spansPerBody);
  }
  const count = Math.ceil(options.spans / options.spansPerBody);
  return { bodies: bodies.slice(0, count), spansPerBody: options.spansPerBody, traceIdOffsets: traceIdOffsets.slice(0, count) };
}

/** Length-prefixed bodies, each followed by its trace id offsets, in one file, for the load generator process. */
export function writeSpanPool(path: string, pool: SpanPool): void {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(pool.spansPerBody, 0);
  header.writeUInt32LE(pool.bodies.length, 4);
  const parts: Buffer[] = [header];
  pool.bodies.forEach((body, index) => {
    const offsets = pool.traceIdOffsets[index];
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32LE(body.length, 0);
    lengths.writeUInt32LE(offsets.length, 4);
    const offsetBytes = Buffer.alloc(offsets.length * 4);
    offsets.forEach((offset, i) => offsetBytes.writeUInt32LE(offset, i * 4));
    parts.push(lengths, body, offsetBytes);
  });
  writeFileSync(path, Buffer.concat(parts));
}

export function readSpanPool(path: string): SpanPool {
  const file = readFileSync(path);
  const spansPerBody = file.readUInt32LE(0);
  const count = file.readUInt32LE(4);
  const bodies: Buffer[] = [];
  const traceIdOffsets: Uint32Array[] = [];
  let at = 8;
  for (let i = 0; i < count; i++) {
    const length = file.readUInt32LE(at);
    const offsets = file.readUInt32LE(at + 4);
    at += 8;
    bodies.push(file.subarray(at, at + length));
    at += length;
    traceIdOffsets.push(Uint32Array.from({ length: offsets }, (_, j) => file.readUInt32LE(at + j * 4)));
    at += offsets * 4;
  }
  return { bodies, spansPerBody, traceIdOffsets };
}
