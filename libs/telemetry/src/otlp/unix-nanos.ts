import type { UnixNanos } from '@vigil/contracts';

/**
 * Arithmetic on UnixNanos (decimal strings) without BigInt on the hot path: a timestamp's whole seconds and its last
 * nine digits each fit a double exactly, and so does a difference under ~104 days. Anything else (more than 24 digits,
 * not plain digits, far apart) goes through BigInt as before, with the same results and the same errors.
 */
const MAX_DIGITS = 24;
/** Whole seconds two timestamps may be apart for (end − start) × 1e9 to stay below 2^53. */
const MAX_EXACT_SECONDS = 9_000_000;

/** The value of digits [from, to) of `text`, or -1 when one is not 0-9. */
function digitsValue(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Whole seconds of plain decimal nanoseconds, or -1 when the fast path does not apply. */
function secondsOf(nanos: string): number {
  const length = nanos.length;
  if (length === 0 || length > MAX_DIGITS) return -1;
  return digitsValue(nanos, 0, Math.max(0, length - 9));
}

/** The last nine digits (the nanoseconds within the second); only called after secondsOf accepted `nanos`. */
function fractionOf(nanos: string): number {
  return digitsValue(nanos, Math.max(0, nanos.length - 9), nanos.length);
}

/** end − start in nanoseconds, exact: a number when it fits, else a bigint. Throws like BigInt on malformed input. */
export function nanosBetween(start: UnixNanos, end: UnixNanos): number | bigint {
  const startSeconds = secondsOf(start);
  const endSeconds = secondsOf(end);
  if (startSeconds >= 0 && endSeconds >= 0 && Math.abs(endSeconds - startSeconds) < MAX_EXACT_SECONDS) {
    const startFraction = fractionOf(start);
    const endFraction = fractionOf(end);
    if (startFraction >= 0 && endFraction >= 0) return (endSeconds - startSeconds) * 1e9 + (endFraction - startFraction);
  }
  return BigInt(end) - BigInt(start);
}

/** Whole seconds since the epoch (floor of nanos / 1e9). Throws like BigInt on malformed input. */
export function unixSeconds(nanos: UnixNanos): number {
  const seconds = secondsOf(nanos);
  if (seconds >= 0 && fractionOf(nanos) >= 0) return seconds;
  return Number(BigInt(nanos) / 1_000_000_000n);
}
