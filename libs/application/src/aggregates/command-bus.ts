import { Decider, DomainCommand, DomainEvent } from '@vigil/domain/shared';
import { EventStore, handleCommand, HandledCommand, RecordedEvent } from '@vigil/event-store';
import { AggregateName, AGGREGATES, CommandOf, EventOf, StateOf, streamIdOf } from './aggregates';

export interface SentCommand<A extends AggregateName> {
  readonly aggregate: A;
  readonly id: string;
  readonly command: CommandOf<A>;
}

/**
 * The one path by which commands reach aggregates — API use cases, the saga host and the workers all use it,
 * so the same rules and the same idempotency apply whoever sends the command.
 */
export class CommandBus {
  constructor(
    private readonly store: EventStore,
    private readonly listeners: readonly ((events: readonly RecordedEvent[]) => void)[] = [],
  ) {}

  async send<A extends AggregateName>(aggregate: A, id: string, command: CommandOf<A>): Promise<HandledCommand<StateOf<A>, EventOf<A>>> {
    const decider = AGGREGATES[aggregate] as unknown as Decider<StateOf<A>, CommandOf<A> & DomainCommand, EventOf<A> & DomainEvent>;
    const result = await handleCommand(this.store, decider, streamIdOf(aggregate, id), command as CommandOf<A> & DomainCommand, { maxRetries: 5 });
    return result as HandledCommand<StateOf<A>, EventOf<A>>;
  }

  /** Current state of one aggregate, optionally as it stood at a time. */
  async load<A extends AggregateName>(aggregate: A, id: string, asOf?: string): Promise<{ state: StateOf<A>; version: number; events: RecordedEvent[] }> {
    const events = await this.store.readStream(streamIdOf(aggregate, id), asOf ? { asOf } : {});
    const decider = AGGREGATES[aggregate] as unknown as Decider<StateOf<A>, never, EventOf<A> & DomainEvent>;
    const state = events.reduce((s, e) => decider.evolve(s, e as unknown as EventOf<A> & DomainEvent), decider.initialState());
    return { state, version: events.length - 1, events };
  }

  /** Lets in-process listeners (SSE, local wake-ups) hear about appends right away. */
  notify(events: readonly RecordedEvent[]): void {
    for (const listener of this.listeners) listener(events);
  }
}
