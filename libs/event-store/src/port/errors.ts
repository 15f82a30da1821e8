/** Errors of the event store port. Each has a literal `type` so callers narrow with `switch (error.type)`. */
export class ConcurrencyError extends Error {
  readonly type = 'concurrency' as const;
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: number | undefined,
  ) {
    super(`Stream ${streamId}: expected version ${expected}, found ${actual ?? 'unknown'}`);
    this.name = 'ConcurrencyError';
  }
}

export class DuplicateEventError extends Error {
  readonly type = 'duplicate-event' as const;
  constructor(readonly eventId: string) {
    super(`Event ${eventId} is already stored in another stream or position`);
    this.name = 'DuplicateEventError';
  }
}

export class InvalidAppendError extends Error {
  readonly type = 'invalid-append' as const;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

export class StoreUnavailableError extends Error {
  readonly type = 'unavailable' as const;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

export type EventStoreError = ConcurrencyError | DuplicateEventError | InvalidAppendError | StoreUnavailableError;

export function isEventStoreError(error: unknown): error is EventStoreError {
  return (
    error instanceof ConcurrencyError ||
    error instanceof DuplicateEventError ||
    error instanceof InvalidAppendError ||
    error instanceof StoreUnavailableError
  );
}
