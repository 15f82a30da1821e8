/**
 * The last `capacity` values of a series, kept both in arrival order and sorted, so that quantiles, the median
 * and the median absolute deviation (MAD) cost O(log n) and a push costs one binary search and one memmove.
 */
export class RollingWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number, values: readonly number[] = []) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
    for (const value of values.slice(-capacity)) this.push(value);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends a value, evicting the oldest one when full; returns the evicted value. */
  push(value: number): number | undefined {
    let evicted: number | undefined;
    if (this.count === this.capacity) {
      evicted = this.ring[this.head];
      this.removeSorted(evicted);
      this.ring[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
    } else {
      this.ring[(this.head + this.count) % this.capacity] = value;
      this.count++;
    }
    this.insertSorted(value);
    return evicted;
  }

  /** Values oldest first (what a snapshot stores). */
  values(): number[] {
    const out = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(this.head + i) % this.capacity];
    return out;
  }

  /** The i-th most recent value (0 = newest). */
  recent(i: number): number {
    return this.ring[(this.head + this.count - 1 - i + this.capacity) % this.capacity];
  }

  /** Linear-interpolated quantile, q ∈ [0, 1]; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const position = Math.min(Math.max(q, 0), 1) * (this.count - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, this.count - 1);
    return this.sorted[low] + (this.sorted[high] - this.sorted[low]) * (position - low);
  }

  median(): number {
    return this.quantile(0.5);
  }

  /**
   * Median absolute deviation from the median (unscaled). Distances below the median, read outwards, and above
   * it, read outwards, are two ascending lists; their median is a selection in two sorted arrays.
   */
  mad(): number {
    const n = this.count;
    if (n === 0) return NaN;
    const median = this.median();
    const split = lowerBound(this.sorted, n, median);
    const below = split;
    const above = n - split;
    const distBelow = (i: number) => median - this.sorted[split - 1 - i];
    const distAbove = (i: number) => this.sorted[split + i] - median;
    const kth = (k: number) => kthOfTwo(distBelow, below, distAbove, above, k);
    return n % 2 === 1 ? kth((n - 1) / 2) : (kth(n / 2 - 1) + kth(n / 2)) / 2;
  }

  private insertSorted(value: number): void {
    const used = this.count - 1; // the caller has already counted (or evicted to make room for) the new value
    const at = upperBound(this.sorted, used, value);
    this.sorted.copyWithin(at + 1, at, used);
    this.sorted[at] = value;
  }

  private removeSorted(value: number): void {
    const at = lowerBound(this.sorted, this.count, value);
    this.sorted.copyWithin(at, at + 1, this.count);
  }
}

/** First index in sorted[0, n) whose value is ≥ value. */
function lowerBound(sorted: Float64Array, n: number, value: number): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index in sorted[0, n) whose value is > value. */
function upperBound(sorted: Float64Array, n: number, value: number): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The k-th smallest (0-based) of two ascending sequences given as accessors. */
function kthOfTwo(a: (i: number) => number, aLength: number, b: (i: number) => number, bLength: number, k: number): number {
  let aStart = 0;
  let bStart = 0;
  for (;;) {
    if (aStart === aLength) return b(bStart + k);
    if (bStart === bLength) return a(aStart + k);
    if (k === 0) return Math.min(a(aStart), b(bStart));
    const step = Math.floor((k + 1) / 2);
    const aIndex = Math.min(aStart + step, aLength) - 1;
    const bIndex = Math.min(bStart + step, bLength) - 1;
    if (a(aIndex) <= b(bIndex)) {
      k -= aIndex - aStart + 1;
      aStart = aIndex + 1;
    } else {
      k -= bIndex - bStart + 1;
      bStart = bIndex + 1;
    }
  }
}
