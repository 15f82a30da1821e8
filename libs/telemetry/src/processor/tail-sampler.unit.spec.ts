import type { SpanV1 } from '@vigil/contracts';
import { keptByHash, TailSampler, traceSamplingValue, type Observation } from './tail-sampler';

function span(traceId: string, overrides: Partial<SpanV1> = {}, durationMs = 5): SpanV1 {
  const start = 1_700_000_000_000_000_000n;
  return {
    traceId, spanId: '00f067aa0ba902b7', parentSpanId: '', traceState: '', name: 'GET /', kind: 'Server',
    startTimeUnixNano: start.toString(), endTimeUnixNano: (start + BigInt(durationMs * 1e6)).toString(), serviceName: 'api',
    resourceSchemaUrl: '', resourceAttributes: {}, scopeName: '', scopeVersion: '', attributes: {}, numericAttributes: {},
    statusCode: 'Unset', statusMessage: '', events: [], links: [], correlationId: '', sampleWeight: 1, ...overrides,
  };
}

const held = (messageId: string, ...spans: SpanV1[]) => spans.map((item) => ({ messageId, span: item }));

/** True when an undecided observation's batch settles within a few ticks. */
async function settledWithin(observation: Observation): Promise<boolean> {
  if (observation.state !== 'undecided') throw new Error('not undecided');
  return Promise.race([observation.settled.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10))]);
}

/** A trace id whose rightmost 56 bits are `fraction` of their range. */
const idWithRandom = (fraction: number) => `${'ab'.repeat(9)}${BigInt(Math.floor(fraction * 2 ** 56)).toString(16).padStart(14, '0')}`;

describe('tail sampling', () => {
  it('derives the sampling value from the rightmost 7 bytes of the trace id, the same on every instance', () => {
    expect(traceSamplingValue(`${'f'.repeat(18)}00000000000001`)).toBe(1n);
    expect(keptByHash(idWithRandom(0.005), 0.01)).toBe(true);
    expect(keptByHash(idWithRandom(0.015), 0.01)).toBe(false);
    expect(keptByHash(idWithRandom(0.999), 1)).toBe(true);
    expect(keptByHash(idWithRandom(0), 0)).toBe(false);
  });

  it('keeps about `rate` of random trace ids', () => {
    let kept = 0;
    for (let i = 0; i < 20_000; i++) if (keptByHash(idWithRandom(Math.random()), 0.1)) kept++;
    expect(kept / 20_000).toBeGreaterThan(0.09);
    expect(kept / 20_000).toBeLessThan(0.11);
  });

  it('keeps error and slow traces with weight 1 and hash-picked ones with weight 1/rate', () => {
    const sampler = new TailSampler({ rate: 0.01, slowThresholdMs: 500, slowThresholdMsByService: { batch: 60_000 } });
    const boring = idWithRandom(0.5);
    expect(sampler.observe(idWithRandom(0.6), held('m1', span(boring, { statusCode: 'Error' })))).toMatchObject({ state: 'decided', decision: { keep: true, weight: 1, reason: 'error' } });
    expect(sampler.observe(idWithRandom(0.7), held('m2', span(boring, {}, 800)))).toMatchObject({ decision: { keep: true, weight: 1, reason: 'slow' } });
    expect(sampler.observe(idWithRandom(0.8), held('m3', span(boring, { serviceName: 'batch' }, 800)))).toMatchObject({ state: 'undecided' });
    expect(sampler.observe(idWithRandom(0.001), held('m4', span(boring)))).toMatchObject({ decision: { keep: true, weight: 100, reason: 'hash' } });
  });

  it('holds the spans of an undecided trace and hands them back when an error keeps it; late spans follow the decision', async () => {
    let now = 0;
    const sampler = new TailSampler({ rate: 0.01, decisionWaitMs: 1_000 }, () => now);
    const rescued = idWithRandom(0.5);
    const first = sampler.observe(rescued, held('m1', span(rescued), span(rescued)));
    expect(first.state).toBe('undecided');
    expect(sampler.heldSpans).toBe(2);
    now = 900;
    const kept = sampler.observe(rescued, held('m2', span(rescued, { statusCode: 'Error' })));
    expect(kept).toMatchObject({ state: 'decided', fresh: true, decision: { keep: true, reason: 'error' } });
    const released = kept.state === 'decided' ? kept.released : null;
    expect(released?.spans.map((item) => item.messageId)).toEqual(['m1', 'm1']);
    expect(sampler.heldSpans).toBe(0);
    // The first batch is settled only once the caller stored what it held.
    expect(await settledWithin(first)).toBe(false);
    released?.stored();
    expect(await settledWithin(first)).toBe(true);
    expect(sampler.observe(rescued, held('m3', span(rescued)))).toMatchObject({ fresh: false, decision: { keep: true }, released: null });
  });

  it('drops an undecided trace at the end of the decision wait, settling its batches, and drops its late spans too', async () => {
    let now = 0;
    const sampler = new TailSampler({ rate: 0.01, decisionWaitMs: 1_000 }, () => now);
    const quiet = idWithRandom(0.6);
    const first = sampler.observe(quiet, held('m1', span(quiet)));
    now = 999;
    sampler.expire();
    expect(await settledWithin(first)).toBe(false);
    now = 1_001;
    sampler.expire();
    expect(await settledWithin(first)).toBe(true);
    expect(sampler.undecidedTraces).toBe(0);
    expect(sampler.heldSpans).toBe(0);
    expect(sampler.observe(quiet, held('m2', span(quiet, { statusCode: 'Error' })))).toMatchObject({ fresh: false, decision: { keep: false, reason: 'dropped' } });
  });

  it('does not hold a redelivered message twice', () => {
    const sampler = new TailSampler({ rate: 0 });
    const trace = idWithRandom(0.4);
    sampler.observe(trace, held('m1', span(trace), span(trace)));
    sampler.observe(trace, held('m1', span(trace), span(trace)));
    sampler.observe(trace, held('m2', span(trace)));
    const kept = sampler.observe(trace, held('m3', span(trace, { statusCode: 'Error' })));
    expect(kept.state === 'decided' && kept.released?.spans.map((item) => item.messageId)).toEqual(['m1', 'm1', 'm2']);
  });

  it('bounds the traces awaiting a decision and the spans held for them, deciding the oldest early', async () => {
    const byTraces = new TailSampler({ rate: 0, maxUndecided: 3, decisionWaitMs: 60_000 });
    for (let i = 0; i < 10; i++) byTraces.observe(idWithRandom(i / 10), held(`m${i}`, span('x')));
    expect(byTraces.undecidedTraces).toBeLessThanOrEqual(4);

    const bySpans = new TailSampler({ rate: 0, maxHeldSpans: 10, decisionWaitMs: 60_000 });
    const oldest = bySpans.observe(idWithRandom(0.1), held('a', ...Array.from({ length: 6 }, () => span('x'))));
    bySpans.observe(idWithRandom(0.2), held('b', ...Array.from({ length: 6 }, () => span('x'))));
    expect(await settledWithin(oldest)).toBe(false);
    bySpans.expire();
    expect(bySpans.heldSpans).toBe(6);
    expect(await settledWithin(oldest)).toBe(true);
  });

  it('refuses a rate outside [0, 1]', () => {
    expect(() => new TailSampler({ rate: 2 })).toThrow(/rate/);
  });
});
