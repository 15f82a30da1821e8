import { anomalyDedupKey } from './dedup-key';

describe('anomaly dedup key', () => {
  it('is the same for the same service, operation and signal, and cannot collide through separators', () => {
    expect(anomalyDedupKey({ service: 'a', operation: 'b', signal: 'c' })).toBe(anomalyDedupKey({ signal: 'c', operation: 'b', service: 'a' }));
    expect(anomalyDedupKey({ service: 'a|b', operation: 'c', signal: 'd' })).not.toBe(anomalyDedupKey({ service: 'a', operation: 'b|c', signal: 'd' }));
  });
});
