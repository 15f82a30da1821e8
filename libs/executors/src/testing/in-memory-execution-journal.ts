import type { ExecutionContext, ExecutionJournal, ExecutionStep } from '../executor.port';

/** Journal kept in memory, shared across "attempts" in a test the way the worker's event-backed journal would be. */
export class InMemoryExecutionJournal implements ExecutionJournal {
  private readonly recorded: ExecutionStep[] = [];

  constructor(initial: readonly ExecutionStep[] = []) {
    // Round-trip through JSON, as the durable journal (events) would.
    this.recorded.push(...(JSON.parse(JSON.stringify(initial)) as ExecutionStep[]));
  }

  get steps(): readonly ExecutionStep[] {
    return [...this.recorded];
  }

  async record(step: ExecutionStep): Promise<void> {
    this.recorded.push(JSON.parse(JSON.stringify(step)) as ExecutionStep);
  }
}

export interface TestExecutionContext extends ExecutionContext {
  readonly journal: InMemoryExecutionJournal;
  readonly heartbeats: () => number;
  readonly abort: (reason?: unknown) => void;
}

/** An ExecutionContext for one attempt; pass the same journal to a later attempt to simulate a retry after a crash. */
export function testExecutionContext(overrides: { executionId?: string; attempt?: number; journal?: InMemoryExecutionJournal } = {}): TestExecutionContext {
  const controller = new AbortController();
  let heartbeats = 0;
  const executionId = overrides.executionId ?? 'exec-1';
  return {
    executionId,
    idempotencyKey: `idem-${executionId}`,
    attempt: overrides.attempt ?? 1,
    journal: overrides.journal ?? new InMemoryExecutionJournal(),
    heartbeat: async () => {
      heartbeats++;
    },
    heartbeats: () => heartbeats,
    signal: controller.signal,
    abort: (reason?: unknown) => controller.abort(reason),
  };
}
