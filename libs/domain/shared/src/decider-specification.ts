import { Decider, DomainCommand, DomainEvent } from './decider';

/**
 * given(events).when(command).then(events) / .thenThrows(code): decider rules read as specifications.
 * Test-framework agnostic: `then*` throw an AssertionError-like Error on mismatch.
 */
export function deciderSpecification<State, Command extends DomainCommand, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command) {
          const run = () => {
            const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
            return decider.decide(command, state);
          };
          return {
            then(expected: readonly Event[]) {
              const actual = run();
              const a = JSON.stringify(actual);
              const e = JSON.stringify(expected);
              if (a !== e) throw new Error(`Expected events\n  ${e}\nbut got\n  ${a}`);
            },
            /** Passes when the produced events satisfy the predicate; the message names what was produced. */
            thenMatches(predicate: (events: Event[]) => boolean, description: string) {
              const actual = run();
              if (!predicate(actual)) throw new Error(`Expected ${description}, got ${JSON.stringify(actual)}`);
            },
            thenThrows(code: string) {
              let produced: Event[] | undefined;
              try {
                produced = run();
              } catch (error) {
                const actualCode = (error as { code?: unknown }).code;
                if (actualCode !== code) throw new Error(`Expected error ${code} but got ${String(actualCode)}: ${String(error)}`);
                return error as Error & { code: string };
              }
              throw new Error(`Expected error ${code} but the command produced ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}
