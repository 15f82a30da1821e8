import type { SpanV1 } from '@vigil/contracts';
import { keptByHash, TailSampler, traceSamplingValue } from './tail-sampler';

function span(traceId: string, overrides: Partial<SpanV1> = {}, durationMs = 5): SpanV1 {
  const start = 1_700_000_000_000_000_000n;
  return {
    traceId, spanId: '00f067aa0ba902b7', parentSpanId: '', traceState: '', name: 'GET /', kind: 'Server',
    startTimeUnixNano: start.toString(), endTimeUnixNano: (start + BigInt(durationMs * 1e6)).toString(), serviceName: 'api',
    resourceSchemaUrl: '', resourceAttributes: {}, scopeName: '', scopeVersion: '', attributes: {}, numericAttributes: {},
    statusCode: 'Unset', statusMessage: '', events: [], links: [], correlationId: '', sampleWeight: 1, ...overrides,
  };
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
    expect(sampler.observe(idWithRandom(0.6), [span(boring, { statusCode: 'Error' })])).toMatchObject({ state: 'decided', decision: { keep: true, weight: 1, reason: 'error' } });
    expect(sampler.observe(idWithRandom(0.7), [span(boring, {}, 800)])).toMatchObject({ decision: { keep: true, weight: 1, reason: 'slow' } });
    expect(sampler.observe(idWithRandom(0.8), [span(boring, { serviceName: 'batch' }, 800)])).toEqual({ state: 'undecided' });
    expect(sampler.observe(idWithRandom(0.001), [span(boring)])).toMatchObject({ decision: { keep: true, weight: 100, reason: 'hash' } });
  });

  it('waits decisionWaitMs for an error or slow span, hands back the pending writes on a keep, then drops; late spans follow the decision', async () => {
    let now = 0;
    const sampler = new TailSampler({ rate: 0.01, decisionWaitMs: 1_000 }, () => now);
    const rescued = idWithRandom(0.5);
    const dropped = idWithRandom(0.6);
    expect(sampler.observe(rescued, [span(rescued)])).toEqual({ state: 'undecided' });
    expect(sampler.observe(dropped, [span(dropped)])).toEqual({ state: 'undecided' });
    const write = Promise.resolve();
    sampler.addUndecidedWrite(rescued, write);
    expect(sampler.undecidedTraces).toBe(2);
    now = 900;
    const kept = sampler.observe(rescued, [span(rescued, { statusCode: 'Error' })]);
    expect(kept).toMatchObject({ state: 'decided', fresh: true, decision: { keep: true, reason: 'error' } });
    expect(kept.state === 'decided' && kept.earlierWrites).toHaveLength(1);
    now = 1_001;
    sampler.expire();
    expect(sampler.undecidedTraces).toBe(0);
    expect(sampler.observe(dropped, [span(dropped, { statusCode: 'Error' })])).toMatchObject({ fresh: false, decision: { keep: false, reason: 'dropped' } });
    expect(sampler.observe(rescued, [span(rescued)])).toMatchObject({ fresh: false, decision: { keep: true } });
  });

  it('bounds the traces awaiting a decision', () => {
    const sampler = new TailSampler({ rate: 0, maxUndecided: 3, decisionWaitMs: 60_000 });
    for (let i = 0; i < 10; i++) sampler.observe(idWithRandom(i / 10), [span('x')]);
    expect(sampler.undecidedTraces).toBeLessThanOrEqual(4);
  });

  it('refuses a rate outside [0, 1]', () => {
    expect(() => new TailSampler({ rate: 2 })).toThrow(/rate/);
  });
});
