import { createDetector, DEFAULT_PARAMS, DetectorOutput, DetectorState } from './detector';

const FIVE_MINUTES = 5 * 60_000;
const DAY_ROWS = 288;
const START = Date.UTC(2024, 0, 1);

/** A seeded daily sine with Gaussian noise, 5-minute samples. */
function dailySeries(days: number, seed = 42): { timestamps: number[]; values: number[] } {
  let state = seed;
  const uniform = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < days * DAY_ROWS; i++) {
    timestamps.push(START + i * FIVE_MINUTES);
    values.push(100 + 20 * Math.sin((2 * Math.PI * i) / DAY_ROWS) + 2 * gaussian());
  }
  return { timestamps, values };
}

function runAll(timestamps: number[], values: number[]): DetectorOutput[] {
  const detector = createDetector();
  return values.map((value, i) => detector.update(timestamps[i], value));
}

const anomalousRows = (outputs: DetectorOutput[], from = 0, to = outputs.length) =>
  outputs.map((output, row) => (output.anomalous ? row : -1)).filter((row) => row >= from && row < to);

describe('createDetector', () => {
  it('scores in [0, 1], stays silent while learning, and is deterministic', () => {
    const { timestamps, values } = dailySeries(4);
    const first = runAll(timestamps, values);
    expect(first.every((output) => output.score >= 0 && output.score <= 1)).toBe(true);
    expect(first.slice(0, DEFAULT_PARAMS.learningRows).every((output) => output.score === 0)).toBe(true);
    expect(runAll(timestamps, values)).toEqual(first);
  });

  it('flags a spike above the daily range, and nothing else once the first day is learnt', () => {
    const { timestamps, values } = dailySeries(8);
    const at = 6 * DAY_ROWS + 100;
    values[at] += 60;
    const outputs = runAll(timestamps, values);
    expect(outputs[at]).toMatchObject({ anomalous: true, signal: 'spike' });
    expect(anomalousRows(outputs, 2 * DAY_ROWS)).toEqual([at]);
  });

  it('flags a level shift within the shift window, once', () => {
    const { timestamps, values } = dailySeries(8);
    const at = 6 * DAY_ROWS;
    for (let i = at; i < values.length; i++) values[i] += 12;
    const outputs = runAll(timestamps, values);
    const alerts = anomalousRows(outputs, 5 * DAY_ROWS);
    expect(alerts.length).toBe(1);
    expect(alerts[0]).toBeGreaterThanOrEqual(at);
    expect(alerts[0]).toBeLessThan(at + DEFAULT_PARAMS.shiftRows);
  });

  it('expects the daily pattern once it has learnt it', () => {
    const { timestamps, values } = dailySeries(6);
    const outputs = runAll(timestamps, values);
    const lastDay = outputs.slice(5 * DAY_ROWS);
    const clean = (row: number) => 100 + 20 * Math.sin((2 * Math.PI * row) / DAY_ROWS);
    const errors = lastDay.map((output, i) => Math.abs(output.expected - clean(5 * DAY_ROWS + i)));
    expect(Math.max(...errors)).toBeLessThan(4);
    const inside = lastDay.filter((output, i) => output.lower <= values[5 * DAY_ROWS + i] && values[5 * DAY_ROWS + i] <= output.upper);
    expect(inside.length / lastDay.length).toBeGreaterThan(0.99);
  });

  it('continues identically from a JSON checkpoint', () => {
    const { timestamps, values } = dailySeries(5);
    values[4 * DAY_ROWS] += 50;
    const uninterrupted = runAll(timestamps, values);
    const detector = createDetector();
    const cut = 3 * DAY_ROWS + 17;
    for (let i = 0; i < cut; i++) detector.update(timestamps[i], values[i]);
    const state = JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState;
    const restored = createDetector(DEFAULT_PARAMS, state);
    const resumed = values.slice(cut).map((value, i) => restored.update(timestamps[cut + i], value));
    expect(resumed).toEqual(uninterrupted.slice(cut));
  });

  it('checkpoints during the first day too (the seasonal model is still learning)', () => {
    const { timestamps, values } = dailySeries(2);
    const uninterrupted = runAll(timestamps, values);
    const detector = createDetector();
    for (let i = 0; i < 50; i++) detector.update(timestamps[i], values[i]);
    const restored = createDetector(DEFAULT_PARAMS, JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState);
    expect(values.slice(50).map((value, i) => restored.update(timestamps[50 + i], value))).toEqual(uninterrupted.slice(50));
  });

  it('skips values that are not numbers without learning from them', () => {
    const { timestamps, values } = dailySeries(2);
    const withGap = createDetector();
    const without = createDetector();
    for (let i = 0; i < values.length; i++) {
      if (i === 300) expect(withGap.update(timestamps[i], NaN)).toMatchObject({ score: 0, anomalous: false });
      else expect(withGap.update(timestamps[i], values[i])).toEqual(without.update(timestamps[i], values[i]));
    }
  });

  it('stays quiet on a flat line and notices when it moves', () => {
    const detector = createDetector();
    const outputs = Array.from({ length: 1500 }, (_, i) => detector.update(START + i * FIVE_MINUTES, i < 1200 ? 5 : 6));
    expect(anomalousRows(outputs, 0, 1200)).toEqual([]);
    expect(outputs[1200].anomalous).toBe(true);
  });

  it('rejects a state it does not understand', () => {
    expect(() => createDetector(DEFAULT_PARAMS, { version: 2 } as unknown as DetectorState)).toThrow(/state version/);
  });
});
