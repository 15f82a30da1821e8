import { AppendResult, ExpectedVersion, NewEvent, RecordedEvent } from './events';
import { GlobalPosition } from './position';

export interface ReadStreamOptions {
  /** First version to return (default 0). */
  readonly fromVersion?: number;
  /** Only events recorded at or before this instant (time travel). */
  readonly asOf?: string;
}

export interface SubscribeOptions {
  /** Events per read while catching up (default 500). */
  readonly batchSize?: number;
  /** Idle re-read interval when no local wake-up arrives (default 50 ms). */
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * The one port every adapter implements and the conformance suite checks.
 * Global order: `readAll` and `subscribeToAll` never skip an event that commits later with a lower position.
 */
export interface EventStore {
  /** @throws ConcurrencyError when the stream's version is not `expectedVersion`. */
  append(streamId: string, events: readonly NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events strictly after `after` in the global order, at most `limit`. */
  readAll(after: GlobalPosition, limit: number): Promise<RecordedEvent[]>;
  /** Catch-up from `after`, then live, in the global order, until the signal aborts or the iterator is closed. */
  subscribeToAll(after: GlobalPosition, options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** Position of the newest event readable in the global order (START when empty). */
  headPosition(): Promise<GlobalPosition>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');
