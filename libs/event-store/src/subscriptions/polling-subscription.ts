import { EventEmitter } from 'node:events';
import { GlobalPosition, RecordedEvent, SubscribeOptions } from '../port';

type ReadAll = (after: GlobalPosition, limit: number) => Promise<RecordedEvent[]>;

/**
 * Catch-up then live over a fenced `readAll`: reads full batches back to back, then sleeps until a local
 * append wakes it or the poll interval passes. The checkpoint only moves past events already handed out.
 */
export function pollingSubscription(
  readAll: ReadAll,
  wakeups: EventEmitter,
  after: GlobalPosition,
  options: SubscribeOptions,
): AsyncIterable<RecordedEvent> {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  return {
    async *[Symbol.asyncIterator]() {
      let position = after;
      while (!options.signal?.aborted) {
        const batch = await readAll(position, batchSize);
        for (const event of batch) {
          if (options.signal?.aborted) return;
          yield event;
          position = event.position;
        }
        if (batch.length < batchSize) await nextWakeup(wakeups, pollIntervalMs, options.signal);
      }
    },
  };
}

function nextWakeup(wakeups: EventEmitter, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakeups.off('appended', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    wakeups.once('appended', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
