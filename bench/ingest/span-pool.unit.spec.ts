import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OtelSpansValueV1 } from '@vigil/contracts';
import { TRACES } from '@vigil/telemetry';
import { buildSpanPool, readSpanPool, renewTraceIds, writeSpanPool } from './span-pool';

const spansOf = (body: Buffer) => TRACES.decode(body, 'protobuf').messages.flatMap((message) => (message.value as OtelSpansValueV1).spans);

describe('ingest bench span pool', () => {
  const pool = buildSpanPool({ spans: 1_000, spansPerBody: 250, seed: 7 });

  it('finds the trace id of every span in the encoded bodies', () => {
    pool.bodies.forEach((body, index) => {
      expect(pool.traceIdOffsets[index]).toHaveLength(250);
      const ids = new Set(spansOf(body).map((span) => span.traceId));
      for (const offset of pool.traceIdOffsets[index]) expect(ids.has(body.toString('hex', offset, offset + 16))).toBe(true);
    });
  });

  it('renews the trace ids on every pass over the pool: new ids, one per original trace, the spans otherwise unchanged', () => {
    const [body] = pool.bodies;
    const original = spansOf(body);
    expect(renewTraceIds(body, pool.traceIdOffsets[0], 0)).toBe(body);
    const renewed = spansOf(renewTraceIds(body, pool.traceIdOffsets[0], 3));
    expect(renewed).toHaveLength(original.length);
    const mapping = new Map<string, string>();
    renewed.forEach((span, i) => {
      expect(span.traceId).not.toBe(original[i].traceId);
      expect(span.traceId.slice(0, 24)).toBe(original[i].traceId.slice(0, 24));
      expect(mapping.get(original[i].traceId) ?? span.traceId).toBe(span.traceId);
      mapping.set(original[i].traceId, span.traceId);
      expect({ ...span, traceId: '' }).toEqual({ ...original[i], traceId: '' });
    });
    expect(new Set(mapping.values()).size).toBe(new Set(original.map((span) => span.traceId)).size);
    expect(spansOf(renewTraceIds(body, pool.traceIdOffsets[0], 4)).map((span) => span.traceId)).not.toEqual(renewed.map((span) => span.traceId));
    expect(spansOf(body)).toEqual(original); // the pool's own body is not touched
  });

  it('reads back from its file what it wrote', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-span-pool-'));
    try {
      writeSpanPool(join(dir, 'pool.bin'), pool);
      const back = readSpanPool(join(dir, 'pool.bin'));
      expect(back.spansPerBody).toBe(250);
      expect(back.bodies.map((body) => body.toString('base64'))).toEqual(pool.bodies.map((body) => body.toString('base64')));
      expect(back.traceIdOffsets.map((offsets) => [...offsets])).toEqual(pool.traceIdOffsets.map((offsets) => [...offsets]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
