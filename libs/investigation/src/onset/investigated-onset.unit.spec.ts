import { investigatedOnset } from './investigated-onset';

const at = (time: string) => Date.parse(`2025-03-01T${time}Z`);
/** An SLO burn-rate page raised at 10:05: its window is the 1 h long window before it. */
const burn = { service: 'payment', onset: '2025-03-01T09:05:00Z', end: '2025-03-01T10:06:00Z' };

describe('investigatedOnset', () => {
  it('given a RED anomaly (a one-minute window), when dated, then its window start is the onset, whatever the series say', () => {
    const anomaly = { service: 'payment', onset: '2025-03-01T10:02:00Z', end: '2025-03-01T10:03:00Z' };
    expect(investigatedOnset(anomaly, [{ service: 'payment', score: 40, onset: at('10:01:00') }])).toEqual({ kind: 'detected', at: at('10:02:00') });
    expect(investigatedOnset({ service: 'payment', onset: '2025-03-01T10:02:00Z' })).toEqual({ kind: 'detected', at: at('10:02:00') });
  });

  it('given an SLO burn anomaly (an hour-long window) and the service failing from 10:02 in its own series, when dated, then the onset is 10:02', () => {
    expect(investigatedOnset(burn, [{ service: 'checkout', score: 30, onset: at('10:03:00') }, { service: 'payment', score: 40, onset: at('10:02:00'), signal: 'error_rate' }])).toEqual({
      kind: 'metric',
      at: at('10:02:00'),
      windowStart: at('09:05:00'),
      signal: 'error_rate',
    });
  });

  it('given an SLO burn anomaly and no dated anomaly of the service inside its window (none, too weak, or before it), when dated, then the window start stands', () => {
    expect(investigatedOnset(burn, [])).toEqual({ kind: 'window-start', at: at('09:05:00') });
    expect(investigatedOnset(burn, [{ service: 'payment', score: 0 }])).toEqual({ kind: 'window-start', at: at('09:05:00') });
    expect(investigatedOnset(burn, [{ service: 'payment', score: 3, onset: at('10:02:00') }])).toEqual({ kind: 'window-start', at: at('09:05:00') });
    expect(investigatedOnset(burn, [{ service: 'payment', score: 40, onset: at('08:55:00') }])).toEqual({ kind: 'window-start', at: at('09:05:00') });
  });

  it('given a window just over the dated limit, when dated, then the series date it; at the limit the window does', () => {
    const anomaly = { service: 'payment', onset: '2025-03-01T10:00:00Z', end: '2025-03-01T10:05:00Z' };
    const series = [{ service: 'payment', score: 40, onset: at('10:03:00') }];
    expect(investigatedOnset(anomaly, series, { maxDatedWindowMs: 5 * 60_000 })).toEqual({ kind: 'detected', at: at('10:00:00') });
    expect(investigatedOnset(anomaly, series, { maxDatedWindowMs: 4 * 60_000 })).toMatchObject({ kind: 'metric', at: at('10:03:00') });
  });
});
