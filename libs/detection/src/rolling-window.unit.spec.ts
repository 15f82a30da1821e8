import { RollingWindow } from './rolling-window';

function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

function reference(values: number[]): { median: number; mad: number; q90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (list: number[]) => (list.length % 2 ? list[(list.length - 1) / 2] : (list[list.length / 2 - 1] + list[list.length / 2]) / 2);
  const median = mid(sorted);
  const position = 0.9 * (sorted.length - 1);
  const low = Math.floor(position);
  const q90 = sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (position - low);
  return { median, mad: mid(values.map((v) => Math.abs(v - median)).sort((a, b) => a - b)), q90 };
}

describe('RollingWindow', () => {
  it('matches a brute-force median, MAD and quantile as values arrive and leave', () => {
    const random = lcg(7);
    for (const capacity of [1, 2, 5, 17, 64]) {
      const window = new RollingWindow(capacity);
      const kept: number[] = [];
      for (let i = 0; i < 300; i++) {
        const value = Math.floor(random() * 12) / (random() < 0.3 ? 4 : 1); // many ties, like counters
        const evicted = window.push(value);
        kept.push(value);
        if (kept.length > capacity) expect(evicted).toBe(kept.shift());
        const expected = reference(kept);
        expect(window.median()).toBeCloseTo(expected.median, 12);
        expect(window.mad()).toBeCloseTo(expected.mad, 12);
        expect(window.quantile(0.9)).toBeCloseTo(expected.q90, 12);
      }
      expect(window.values()).toEqual(kept);
      expect(window.recent(0)).toBe(kept[kept.length - 1]);
    }
  });

  it('is rebuilt from its values (what a snapshot stores)', () => {
    const window = new RollingWindow(4, [5, 1, 4, 2, 3]);
    expect(window.values()).toEqual([1, 4, 2, 3]);
    expect(window.median()).toBe(2.5);
  });

  it('answers NaN when empty and rejects a non-positive capacity', () => {
    expect(new RollingWindow(3).median()).toBeNaN();
    expect(() => new RollingWindow(0)).toThrow(RangeError);
  });
});
