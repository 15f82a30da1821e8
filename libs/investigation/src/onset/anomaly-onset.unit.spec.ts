import { directedZ, robustBaseline, scoreMetric, scoreService } from './anomaly-onset';

const minute = (m: number) => Date.UTC(2025, 2, 1, 10, m);
const window = (values: (number | null)[]) => values.map((value, i) => ({ at: minute(i), value }));
const noisy = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10];

describe('robustBaseline', () => {
  it('given a noisy series with one outlier in thirty, when summarised, then the median and the scale ignore the outlier', () => {
    const baseline = robustBaseline([...noisy, ...noisy, ...noisy, 500]);
    expect(baseline?.center).toBe(10);
    expect(baseline?.scale).toBeGreaterThan(0.5);
    expect(baseline?.scale).toBeLessThan(3);
  });

  it('given a constant series, when summarised, then the scale falls back to a fraction of the level', () => {
    expect(robustBaseline([100, 100, 100, 100])?.scale).toBeCloseTo(1, 6);
  });

  it('given no finite samples, when summarised, then there is no baseline', () => {
    expect(robustBaseline([null, NaN])).toBeUndefined();
  });

  it('given a direction, when a value is scored, then only the harmful direction is positive', () => {
    const baseline = { center: 10, scale: 1, points: 10 };
    expect(directedZ(15, baseline, 'up')).toBe(5);
    expect(directedZ(15, baseline, 'down')).toBe(-5);
    expect(directedZ(5, baseline, 'both')).toBe(5);
    expect(directedZ(1e9, baseline, 'up', 1000)).toBe(1000);
  });
});

describe('scoreMetric', () => {
  it('given a latency step in the window, when scored, then the onset is the first point over the threshold', () => {
    const metric = scoreMetric({ name: 'latency', direction: 'up', baseline: noisy, window: window([10, 11, 40, 45, 42]) });
    expect(metric.onset).toBe(minute(2));
    expect(metric.score).toBeGreaterThan(20);
    expect(metric.preexisting).toBe(false);
  });

  it('given one-point blips of a noisy series and minRunPoints 2, when scored, then a blip is no onset, a sustained rise is, and so is a rise at the window end', () => {
    const options = { minRunPoints: 2 };
    expect(scoreMetric({ name: 'p99', direction: 'up', baseline: noisy, window: window([10, 40, 10, 11, 10]) }, options)).toMatchObject({ score: 0 });
    expect(scoreMetric({ name: 'p99', direction: 'up', baseline: noisy, window: window([10, 40, 10, 11, 10]) }, options).onset).toBeUndefined();
    expect(scoreMetric({ name: 'p99', direction: 'up', baseline: noisy, window: window([10, 40, 10, 45, 46]) }, options).onset).toBe(minute(3));
    expect(scoreMetric({ name: 'p99', direction: 'up', baseline: noisy, window: window([10, 11, 10, 9, 45]) }, options).onset).toBe(minute(4));
    // The default keeps single points.
    expect(scoreMetric({ name: 'p99', direction: 'up', baseline: noisy, window: window([10, 40, 10, 11, 10]) }).onset).toBe(minute(1));
  });

  it('given a metric already anomalous at the window start, when scored, then it is pre-existing with no onset', () => {
    const metric = scoreMetric({ name: 'latency', direction: 'up', baseline: noisy, window: window([40, 41, 42]) });
    expect(metric.preexisting).toBe(true);
    expect(metric.onset).toBeUndefined();
    expect(metric.score).toBe(0);
    expect(metric.maxZ).toBeGreaterThan(20);
  });

  it('given a pre-existing condition that recovers and crosses again, when scored, then the second crossing is the onset', () => {
    const metric = scoreMetric({ name: 'errors', direction: 'up', baseline: noisy, window: window([40, 10, 10, 50]) });
    expect(metric.onset).toBe(minute(3));
  });

  it('given availability dropping, when scored with direction down, then the drop is the anomaly', () => {
    const metric = scoreMetric({ name: 'availability', direction: 'down', baseline: [100, 100, 100, 99.9, 100], window: window([100, 100, 80, 70]) });
    expect(metric.onset).toBe(minute(2));
  });

  it('given missing samples, when scored, then they are skipped', () => {
    const metric = scoreMetric({ name: 'latency', direction: 'up', baseline: [...noisy, null], window: window([10, null, 50]) });
    expect(metric.onset).toBe(minute(2));
  });

  it('given a fast database whose sampled p99 jumps from 6 to 14 ms, when scored with a 20 ms materiality, then it has no onset, while 6 → 60 ms has one', () => {
    const fastBaseline = [6, 6.2, 5.8, 6.1, 5.9, 6, 6.3, 5.7];
    const materiality = { minChange: 20, minRatio: 1.5 };
    const blip = scoreMetric({ name: 'latency_p99', direction: 'up', baseline: fastBaseline, window: window([6, 14, 13, 14]), materiality });
    expect(scoreMetric({ name: 'latency_p99', direction: 'up', baseline: fastBaseline, window: window([6, 14, 13, 14]) }).onset).toBe(minute(1));
    expect(blip.onset).toBeUndefined();
    expect(blip.score).toBe(0);
    expect(blip.maxZ).toBeGreaterThan(5);
    const slow = scoreMetric({ name: 'latency_p99', direction: 'up', baseline: fastBaseline, window: window([6, 14, 60, 70]), materiality });
    expect(slow.onset).toBe(minute(2));
    expect(slow.score).toBeGreaterThan(100);
  });

  it('given a slow series whose rise is big in ms but small in ratio, when scored with minRatio 1.5, then it has no onset', () => {
    const slowBaseline = [400, 402, 398, 401, 399, 400];
    const metric = scoreMetric({ name: 'latency_p99', direction: 'up', baseline: slowBaseline, window: window([400, 450, 460, 455]), materiality: { minChange: 20, minRatio: 1.5 } });
    expect(metric.onset).toBeUndefined();
  });

  it('given availability dropping with materiality, when scored with direction down, then only a drop of at least minChange is an onset', () => {
    const baseline = [100, 100, 100, 99.9, 100];
    const tight = { relativeScaleFloor: 0.001 };
    const small = scoreMetric({ name: 'availability', direction: 'down', baseline, window: window([100, 98.5, 98.5]), materiality: { minChange: 2 } }, tight);
    expect(small.maxZ).toBeGreaterThan(5);
    expect(small.onset).toBeUndefined();
    expect(scoreMetric({ name: 'availability', direction: 'down', baseline, window: window([100, 97, 96]), materiality: { minChange: 2 } }, tight).onset).toBe(minute(1));
  });

  it('given too short a baseline, when scored, then the metric is not scored', () => {
    expect(scoreMetric({ name: 'x', direction: 'up', baseline: [1], window: window([1, 100]) }).score).toBe(0);
  });
});

describe('scoreService', () => {
  it('given several metrics, when a service is scored, then its score is the strongest fresh metric and its onset the earliest', () => {
    const service = scoreService({
      service: 'payments',
      metrics: [
        { name: 'cpu', direction: 'up', baseline: noisy, window: window([10, 10, 10, 30]) },
        { name: 'latency', direction: 'up', baseline: noisy, window: window([10, 25, 200, 200]) },
        { name: 'chronic', direction: 'up', baseline: noisy, window: window([900, 900, 900, 900]) },
      ],
    });
    expect(service.signal).toBe('latency');
    expect(service.onset).toBe(minute(1));
    expect(service.score).toBeGreaterThan(100);
    expect(service.maxZ).toBeGreaterThan(service.score);
  });
});
