import { randomUUID } from 'node:crypto';
import { ConcurrencyError, NO_STREAM, type EventStore, type RecordedEvent } from '@vigil/event-store';
import type { ExecutionJournal, ExecutionStep } from '@vigil/executors';

/** Event type of the journal stream (append-only, one event per step). */
export const EXECUTION_STEP_RECORDED = 'ExecutionStepRecorded';

/** The journal lives next to the execution's stream, not in it: the Execution decider knows nothing of steps. */
// Not `execution-…`: that prefix belongs to the Execution aggregate's streams.
export const executionJournalStreamId = (executionId: string): string => `journal-execution-${executionId}`;

export interface ExecutionStepRecordedData {
  readonly executionId: string;
  readonly attempt: number;
  readonly leaseOwner: string;
  readonly name: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly at: string;
}

/** Thrown by `record()` when this attempt may no longer write (its lease is lost, or another attempt wrote). */
export class JournalClosedError extends Error {
  override readonly name = 'JournalClosedError';
}

export interface JournalWriter {
  readonly executionId: string;
  readonly attempt: number;
  readonly leaseOwner: string;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly correlationId?: string;
}

/** Steps recorded for an execution by every attempt so far, oldest first. */
export async function readExecutionJournal(store: EventStore, executionId: string): Promise<{ steps: ExecutionStep[]; events: RecordedEvent[] }> {
  const events = (await store.readStream(executionJournalStreamId(executionId))).filter((event) => event.type === EXECUTION_STEP_RECORDED);
  return { steps: events.map((event) => stepOf(event.data as ExecutionStepRecordedData)), events };
}

/**
 * The durable journal of one attempt: loaded once when the attempt starts, then every `record()` appends an
 * `ExecutionStepRecorded` with the expected stream version, so a write by any other attempt makes this one fail
 * instead of interleaving. Steps round-trip through JSON, as they will when a later attempt reads them.
 */
export class EventStoreExecutionJournal implements ExecutionJournal {
  private constructor(
    private readonly store: EventStore,
    private readonly writer: JournalWriter,
    private readonly recorded: ExecutionStep[],
    private version: number,
  ) {}

  static async open(store: EventStore, writer: JournalWriter): Promise<EventStoreExecutionJournal> {
    const { steps, events } = await readExecutionJournal(store, writer.executionId);
    const version = events.length ? events[events.length - 1].streamVersion : NO_STREAM;
    return new EventStoreExecutionJournal(store, writer, steps, version);
  }

  get steps(): readonly ExecutionStep[] {
    return this.recorded.map((step) => ({ name: step.name, detail: step.detail }));
  }

  async record(step: ExecutionStep): Promise<void> {
    if (this.writer.signal.aborted) throw new JournalClosedError(`attempt ${this.writer.attempt} of ${this.writer.executionId} lost its lease; step ${step.name} not recorded`);
    if (typeof step.name !== 'string' || step.name === '') throw new TypeError('a journal step needs a name');
    const detail = JSON.parse(JSON.stringify(step.detail ?? {})) as Record<string, unknown>;
    const at = this.writer.now().toISOString();
    const data: ExecutionStepRecordedData = {
      executionId: this.writer.executionId,
      attempt: this.writer.attempt,
      leaseOwner: this.writer.leaseOwner,
      name: step.name,
      detail,
      at,
    };
    try {
      const result = await this.store.append(
        executionJournalStreamId(this.writer.executionId),
        [
          {
            eventId: randomUUID(),
            type: EXECUTION_STEP_RECORDED,
            data,
            metadata: {
              actor: 'system:execution-worker',
              correlationId: this.writer.correlationId ?? this.writer.executionId,
              recordedAt: at,
              schemaVersion: 1,
              leaseOwner: this.writer.leaseOwner,
            },
          },
        ],
        this.version,
      );
      this.version = result.nextExpectedVersion;
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        throw new JournalClosedError(`another attempt wrote to the journal of ${this.writer.executionId}; attempt ${this.writer.attempt} stops`);
      }
      throw error;
    }
    this.recorded.push({ name: step.name, detail });
  }
}

const stepOf = (data: ExecutionStepRecordedData): ExecutionStep => ({ name: data.name, detail: data.detail ?? {} });
