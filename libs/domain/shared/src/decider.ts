/** Who and when, supplied by the caller: deciders never read a clock, a random source or the environment. */
export interface CommandMetadata {
  /** ISO-8601 instant at which the command is decided. */
  readonly now: string;
  /** Authenticated actor id (a user id, or `ai:<agent>` / `system:<component>`). */
  readonly actor: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Repeating a command with the same key appends nothing new. */
  readonly idempotencyKey?: string;
}

export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface DomainCommand<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

/** A pure aggregate: `decide` returns the events a command produces or throws a DomainError. */
export interface Decider<State, Command extends DomainCommand, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
