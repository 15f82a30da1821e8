import { GlobalPosition } from './position';

/** Stored with every event; `recordedAt` and `schemaVersion` are filled in by the command handler. */
export interface EventMetadata {
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  readonly recordedAt: string;
  readonly schemaVersion: number;
  readonly [extra: string]: unknown;
}

export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent {
  readonly streamId: string;
  /** 0-based position of the event inside its stream. */
  readonly streamVersion: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly position: GlobalPosition;
  readonly recordedAt: string;
  /** Hash chain link; adapters without a chain (EventStoreDB) leave these empty. */
  readonly prevHash?: string;
  readonly hash?: string;
}

/** `-1` / 'no_stream': the stream must not exist. A number: the version of its last event. */
export type ExpectedVersion = number | 'no_stream' | 'any' | 'stream_exists';

export const NO_STREAM = -1;

export interface AppendResult {
  /** Version of the last event now in the stream: pass it as the next expected version. */
  readonly nextExpectedVersion: number;
  readonly positions: readonly GlobalPosition[];
  /** True when every event id was already in the stream at those versions: nothing was written. */
  readonly idempotentReplay: boolean;
}
