import { BoundedCache } from './bounded-cache';
import { makeSpan } from './spec-fixtures';
import { redInputRow } from './telemetry-processor';

describe('BoundedCache', () => {
  it('evicts the least recently set entry past its size and forgets entries past their age', () => {
    let now = 0;
    const cache = new BoundedCache<number>(2, 1_000, () => now);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // refreshes a: b is now the oldest
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
    now = 1_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});

describe('RED input row', () => {
  it('carries the start second, service, operation, duration in ns and the error flag of a span', () => {
    const start = Date.UTC(2026, 10, 21, 12, 34, 56, 789);
    expect(redInputRow(makeSpan('t', { startMs: start, durationMs: 12.5, statusCode: 'Error', name: 'POST /pay' }))).toEqual({
      StartTime: Math.floor(start / 1000), ServiceName: 'checkout', SpanName: 'POST /pay', Duration: '12500000', IsError: 1,
    });
    expect(redInputRow(makeSpan('t', { durationMs: -1 }))).toMatchObject({ Duration: '0', IsError: 0 });
  });
});
