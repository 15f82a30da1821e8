import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { Decider, DomainCommand, DomainEvent } from '@vigil/domain/shared';
import { ConcurrencyError, EventStore, NewEvent, NO_STREAM, RecordedEvent } from '../port';

/** Namespace for event ids derived from idempotency keys (uuid v5): the same key always yields the same ids. */
const IDEMPOTENT_EVENT_NAMESPACE = '6f1c1a52-1c1e-4b8e-9a53-6c7b0e0d5a11';

export interface HandleCommandOptions {
  /** Attempts after a ConcurrencyError before giving up (default 3). */
  readonly maxRetries?: number;
  /** Per event type schema versions (default 1). */
  readonly schemaVersionOf?: (eventType: string) => number;
}

export interface HandledCommand<State, Event extends DomainEvent> {
  readonly streamId: string;
  readonly events: readonly Event[];
  readonly recorded: readonly RecordedEvent[] | readonly NewEvent[];
  readonly state: State;
  readonly nextExpectedVersion: number;
  /** True when the idempotency key had been handled before and nothing new was appended. */
  readonly replayed: boolean;
}

/** Load → fold → decide → append, retrying version conflicts a bounded number of times. */
export async function handleCommand<State, Command extends DomainCommand, Event extends DomainEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamId: string,
  command: Command,
  options: HandleCommandOptions = {},
): Promise<HandledCommand<State, Event>> {
  const maxRetries = options.maxRetries ?? 3;
  const key = command.metadata.idempotencyKey;
  for (let attempt = 0; ; attempt++) {
    const history = await store.readStream(streamId);
    const state = history.reduce((s, e) => decider.evolve(s, e as unknown as Event), decider.initialState());
    const version = history.length ? history[history.length - 1].streamVersion : NO_STREAM;
    if (key) {
      const earlier = history.filter((event) => event.metadata.idempotencyKey === key);
      if (earlier.length) {
        return { streamId, events: earlier.map(asDomainEvent<Event>), recorded: earlier, state, nextExpectedVersion: version, replayed: true };
      }
    }
    const events = decider.decide(command, state);
    if (events.length === 0) return { streamId, events, recorded: [], state, nextExpectedVersion: version, replayed: false };
    const newEvents = toNewEvents(streamId, command, events, options);
    try {
      const result = await store.append(streamId, newEvents, version);
      const next = events.reduce((s, e) => decider.evolve(s, e), state);
      return { streamId, events, recorded: newEvents, state: next, nextExpectedVersion: result.nextExpectedVersion, replayed: result.idempotentReplay };
    } catch (error) {
      if (error instanceof ConcurrencyError && attempt < maxRetries) continue;
      throw error;
    }
  }
}

export function toNewEvents<Event extends DomainEvent>(
  streamId: string,
  command: DomainCommand,
  events: readonly Event[],
  options: Pick<HandleCommandOptions, 'schemaVersionOf'> = {},
): NewEvent[] {
  const { metadata } = command;
  const correlationId = metadata.correlationId ?? randomUUID();
  return events.map((event, index) => ({
    eventId: metadata.idempotencyKey ? uuidv5(`${streamId}\u0000${metadata.idempotencyKey}\u0000${index}`, IDEMPOTENT_EVENT_NAMESPACE) : randomUUID(),
    type: event.type,
    data: event.data,
    metadata: {
      actor: metadata.actor,
      correlationId,
      ...(metadata.causationId ? { causationId: metadata.causationId } : {}),
      ...(metadata.idempotencyKey ? { idempotencyKey: metadata.idempotencyKey } : {}),
      recordedAt: metadata.now,
      schemaVersion: options.schemaVersionOf?.(event.type) ?? 1,
    },
  }));
}

function asDomainEvent<Event extends DomainEvent>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as unknown as Event;
}
