import { readFileSync, writeFileSync } from 'node:fs';
import { encodeSlice, Scenario } from '@vigil/scenarios';

/** Pre-encoded ExportTraceServiceRequest bodies, all with the same number of spans. */
export interface SpanPool {
  readonly bodies: Buffer[];
  readonly spansPerBody: number;
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
  for (let from = start; bodies.length * options.spansPerBody < options.spans; from += windowMs) {
    const slice = scenario.generate(from, from + windowMs);
    const whole = slice.spans.length - (slice.spans.length % options.spansPerBody);
    bodies.push(...encodeSlice({ ...slice, spans: slice.spans.slice(0, whole), logs: [], metrics: [] }, { maxItemsPerRequest: options.spansPerBody }).traces);
    options.onProgress?.(bodies.length * options.spansPerBody);
  }
  return { bodies: bodies.slice(0, Math.ceil(options.spans / options.spansPerBody)), spansPerBody: options.spansPerBody };
}

/** Length-prefixed bodies in one file, for the load generator process. */
export function writeSpanPool(path: string, pool: SpanPool): void {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(pool.spansPerBody, 0);
  header.writeUInt32LE(pool.bodies.length, 4);
  const parts: Buffer[] = [header];
  for (const body of pool.bodies) {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.length, 0);
    parts.push(length, body);
  }
  writeFileSync(path, Buffer.concat(parts));
}

export function readSpanPool(path: string): SpanPool {
  const file = readFileSync(path);
  const spansPerBody = file.readUInt32LE(0);
  const count = file.readUInt32LE(4);
  const bodies: Buffer[] = [];
  let offset = 8;
  for (let i = 0; i < count; i++) {
    const length = file.readUInt32LE(offset);
    bodies.push(file.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return { bodies, spansPerBody };
}
