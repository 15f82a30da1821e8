import { AttributeValueCount, bubbleUp, bubbleUpEvents, countAttributeValues, OTHER_VALUE, WideEvent } from './bubbleup';

const row = (attribute: string, value: string, anomalousCount: number, baselineCount: number): AttributeValueCount => ({ attribute, value, anomalousCount, baselineCount });

describe('bubbleUp', () => {
  it('given slow requests concentrated on one payment provider, when ranked, then that pair comes first with a readable summary', () => {
    const report = bubbleUp(
      {
        anomalousTotal: 100,
        baselineTotal: 1000,
        rows: [
          row('payment_provider', 'stripe_v3', 87, 30),
          row('payment_provider', 'adyen', 13, 970),
          row('region', 'eu-west-1', 52, 500),
          row('region', 'us-east-1', 48, 500),
        ],
      },
      { population: 'slow requests' },
    );
    expect(report.results.map((result) => `${result.attribute}=${result.value}`)).toEqual(['payment_provider=stripe_v3']);
    const [top] = report.results;
    expect(top.summary).toBe('87% of slow requests have payment_provider=stripe_v3 vs 3% in baseline');
    expect(top.difference).toBeCloseTo(0.84, 5);
    expect(top.lift).toBeGreaterThan(25);
  });

  it('given a pair that is common everywhere, when ranked, then it is not reported (no over-representation)', () => {
    const report = bubbleUp({ anomalousTotal: 100, baselineTotal: 1000, rows: [row('http.method', 'GET', 90, 880)] });
    expect(report.results).toEqual([]);
  });

  it('given only three anomalous events, when ranked, then the minimum support keeps a 100% share out', () => {
    const report = bubbleUp({ anomalousTotal: 3, baselineTotal: 1000, rows: [row('user', 'u-1', 3, 0)] });
    expect(report.results).toEqual([]);
  });

  it('given a small difference on huge samples, when ranked, then the minimum difference still filters it although z is large', () => {
    const report = bubbleUp({ anomalousTotal: 1_000_000, baselineTotal: 1_000_000, rows: [row('az', 'b', 520_000, 500_000)] });
    expect(report.results).toEqual([]);
  });

  it('given a high-cardinality attribute, when capped, then the tail is folded into (other) and never reported', () => {
    const rows = Array.from({ length: 100 }, (_, i) => row('user_id', `u${i}`, i === 0 ? 40 : 1, 1));
    const report = bubbleUp({ anomalousTotal: 139, baselineTotal: 100, rows }, { maxValuesPerAttribute: 10 });
    expect(report.attributes).toEqual([{ attribute: 'user_id', distinctValues: 100, capped: true }]);
    expect(report.results.map((result) => result.value)).toEqual(['u0']);
    expect(report.results.some((result) => result.value === OTHER_VALUE)).toBe(false);
  });

  it('given several strong values of one attribute, when ranked, then at most topPerAttribute of them are kept', () => {
    const report = bubbleUp(
      { anomalousTotal: 90, baselineTotal: 900, rows: [row('pod', 'a', 30, 0), row('pod', 'b', 30, 0), row('pod', 'c', 30, 0), row('zone', 'z1', 60, 100)] },
      { topPerAttribute: 2 },
    );
    expect(report.results.filter((result) => result.attribute === 'pod')).toHaveLength(2);
    expect(report.results.map((result) => result.attribute)).toContain('zone');
  });

  it('given ignored id attributes, when ranked, then they never appear even when over-represented', () => {
    const report = bubbleUp({ anomalousTotal: 10, baselineTotal: 10, rows: [row('trace_id', 'abc', 10, 0)] });
    expect(report.results).toEqual([]);
  });

  it('given no baseline events, when ranked, then shares are compared with zero and the summary says so', () => {
    const report = bubbleUp({ anomalousTotal: 20, baselineTotal: 0, rows: [row('version', 'v2', 20, 0)] }, { population: 'failed requests' });
    expect(report.results[0].summary).toBe('100% of failed requests have version=v2 vs no baseline events');
  });

  it('given negative counts, when ranked, then it refuses the input', () => {
    expect(() => bubbleUp({ anomalousTotal: 10, baselineTotal: 10, rows: [row('a', 'b', -1, 0)] })).toThrow(RangeError);
  });

  it('given raw events, when counted, then each attribute=value is counted per side, nulls skipped, values stringified', () => {
    const anomalous: WideEvent[] = [
      { provider: 'stripe', retry: true, code: 502 },
      { provider: 'stripe', retry: null },
    ];
    const baseline: WideEvent[] = [{ provider: 'adyen', retry: false, code: 200 }];
    const counts = countAttributeValues(anomalous, baseline);
    expect(counts.anomalousTotal).toBe(2);
    expect(counts.baselineTotal).toBe(1);
    expect(counts.rows).toEqual(
      expect.arrayContaining([
        { attribute: 'provider', value: 'stripe', anomalousCount: 2, baselineCount: 0 },
        { attribute: 'retry', value: 'true', anomalousCount: 1, baselineCount: 0 },
        { attribute: 'code', value: '200', anomalousCount: 0, baselineCount: 1 },
      ]),
    );
  });

  it('given raw events where errors come from one build, when bubbled up, then the build is the top result', () => {
    const anomalous = Array.from({ length: 40 }, (_, i) => ({ build: i < 36 ? 'b42' : 'b41', route: i % 2 ? '/cart' : '/pay' }));
    const baseline = Array.from({ length: 400 }, (_, i) => ({ build: i < 20 ? 'b42' : 'b41', route: i % 2 ? '/cart' : '/pay' }));
    const report = bubbleUpEvents({ anomalous, baseline }, { population: 'failed requests' });
    expect(report.results[0]).toMatchObject({ attribute: 'build', value: 'b42', anomalousShare: 0.9, baselineShare: 0.05 });
  });
});
