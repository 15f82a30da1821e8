// Core-module clocks and timers, not the globals, so a test's jest.useFakeTimers() cannot stall the harness.
import { performance } from 'node:perf_hooks';
import { clearTimeout as nodeClearTimeout, setTimeout as nodeSetTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from './host';

export interface WaitForOptions {
  /** Names the awaited condition in the timeout message, e.g. "Redis on 127.0.0.1:6390 to answer PING". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Checked before each attempt; a returned reason aborts the wait at once (e.g. the server process died). */
  failIf?: () => string | undefined;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `check` until it returns a truthy value (which is returned). A falsy result or a thrown error
 * means "not yet"; the last error is quoted in the timeout message.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { what, timeoutMs = 30_000, intervalMs = 100, failIf }: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const failure = failIf?.();
    if (failure !== undefined) throw new Error(`Gave up waiting for ${what}: ${failure}`);
    try {
      const result = await check();
      if (result) return result as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`;
      throw new WaitTimeoutError(`Timed out after ${timeoutMs}ms waiting for ${what}${cause}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - performance.now())));
  }
}

/** Whether `promise` settles within `ms`; the timer is cleared either way so it never holds the process open. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = nodeSetTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    nodeClearTimeout(timer);
  }
}
