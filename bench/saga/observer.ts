import { performance } from 'node:perf_hooks';
import { EventStore, GlobalPosition, RecordedEvent } from '@vigil/event-store';

/** What the observer keys each event type by. */
const KEYS: Record<string, (data: Record<string, unknown>) => string[]> = {
  InvestigationOpened: (data) => (data.anomalyIds as string[]) ?? [],
  ApprovalRequested: (data) => [data.proposalId as string],
  ApprovalGranted: (data) => [data.approvalId as string],
  ExecutionRequested: (data) => (data.approvalId ? [data.approvalId as string] : []),
  ExecutionStarted: (data) => [data.executionId as string],
};

export interface Sighting {
  /** performance.now() when the subscription handed the event out. */
  readonly at: number;
  readonly event: RecordedEvent;
}

/**
 * Follows the log through the store's own subscription (in this process it is woken by every local append, with
 * a 2 ms poll as a fallback) and notes when each watched event was first seen — the moment any reader of the log
 * could have acted on it.
 */
export class LogObserver {
  private readonly seen = new Map<string, Sighting>();
  private readonly waiters = new Map<string, ((sighting: Sighting) => void)[]>();
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly store: EventStore) {}

  start(after: GlobalPosition): void {
    this.loop = (async () => {
      for await (const event of this.store.subscribeToAll(after, { signal: this.abort.signal, pollIntervalMs: 2, batchSize: 1000 })) {
        const keysOf = KEYS[event.type];
        if (!keysOf) continue;
        const at = performance.now();
        for (const key of keysOf(event.data as Record<string, unknown>)) {
          const id = `${event.type}:${key}`;
          if (this.seen.has(id)) continue;
          const sighting = { at, event };
          this.seen.set(id, sighting);
          for (const resolve of this.waiters.get(id) ?? []) resolve(sighting);
          this.waiters.delete(id);
        }
      }
    })();
  }

  /** The first sighting of `type` for `key` (resolves at once if it was already seen). */
  sighting(type: keyof typeof KEYS & string, key: string, timeoutMs = 60_000): Promise<Sighting> {
    const id = `${type}:${key}`;
    const known = this.seen.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} for ${key} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(id) ?? [];
      list.push((sighting) => {
        clearTimeout(timer);
        resolve(sighting);
      });
      this.waiters.set(id, list);
    });
  }

  /** Forgets what a finished sample needed (keeps memory flat over long runs). */
  forget(type: string, key: string): void {
    this.seen.delete(`${type}:${key}`);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }
}
