import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CommandBus } from '@vigil/application';
import type { ApprovalPolicy } from '@vigil/domain/approval';
import { TERMINAL_STATUSES, type ExecutionRecord, type ExecutionState } from '@vigil/domain/execution';
import { DomainError, isJsonObject, type JsonObject } from '@vigil/domain/shared';
import type { EventStore } from '@vigil/event-store';
import type { ExecutionContext, ExecutionOutcome, ExecutorRegistry } from '@vigil/executors';
import { AttemptLease, LeaseLostError } from './attempt-lease';
import { EventStoreExecutionJournal } from './execution-journal';
import { PreRunCheck, type ApproverDirectory } from './pre-run-check';

/** What the queue should do with the job after one pass. */
export type JobDisposition =
  | { readonly kind: 'done'; readonly reason: string }
  /** Retry with the queue's backoff (a retryable failure that will be retried, or an infrastructure error). */
  | { readonly kind: 'retry'; readonly reason: string }
  /** Another worker holds a live lease: look again when it runs out. */
  | { readonly kind: 'delay'; readonly untilMs: number; readonly reason: string };

export type WorkerLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type WorkerLog = (level: WorkerLogLevel, message: string, fields: Readonly<Record<string, unknown>>) => void;

export interface ExecutionRunnerOptions {
  readonly bus: CommandBus;
  readonly store: EventStore;
  readonly executors: ExecutorRegistry;
  /** Roles as of now (UsersRepository). */
  readonly users: ApproverDirectory;
  readonly policy: ApprovalPolicy;
  /** Lease taken per attempt; default 30 000 ms. */
  readonly leaseMs?: number;
  /** Minimum interval between lease renewals (background and heartbeat); default leaseMs / 3. */
  readonly renewEveryMs?: number;
  /** Margin added to a held lease's expiry before looking again; default 250 ms. */
  readonly leaseHeldSlackMs?: number;
  readonly now?: () => Date;
  /** Actor on the commands this worker sends; default `system:execution-worker`. */
  readonly actor?: string;
  readonly log?: WorkerLog;
}

export const DEFAULT_LEASE_MS = 30_000;

/** `<hostname>:<pid>:<uuid>`: unique per attempt, so a re-delivered job never mistakes an older attempt for its own. */
export const newLeaseOwner = (): string => `${hostname()}:${process.pid}:${randomUUID()}`;

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

/**
 * One pass over one execution, independent of the queue: take the lease (a new attempt), run the pre-run check,
 * run the executor with a durable journal and a kept lease, record the outcome.
 */
export class ExecutionRunner {
  readonly leaseMs: number;
  private readonly now: () => Date;
  private readonly actor: string;
  private readonly check: PreRunCheck;
  private readonly log: WorkerLog;

  constructor(private readonly options: ExecutionRunnerOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isInteger(this.leaseMs) || this.leaseMs <= 0) throw new TypeError('leaseMs must be a positive integer');
    this.now = options.now ?? (() => new Date());
    this.actor = options.actor ?? 'system:execution-worker';
    this.check = new PreRunCheck(options.bus, options.users, options.policy);
    this.log = options.log ?? (() => undefined);
  }

  async run(executionId: string, signal?: AbortSignal): Promise<JobDisposition> {
    const { bus } = this.options;
    const { state: current } = await bus.load('execution', executionId);
    if (current.status === 'Initial') return { kind: 'retry', reason: `execution ${executionId} is not recorded (yet)` };
    if (TERMINAL.has(current.status)) return { kind: 'done', reason: `execution is ${current.status}` };

    const leaseOwner = newLeaseOwner();
    let running: Extract<ExecutionState, { status: 'Running' }>;
    try {
      const handled = await bus.send('execution', executionId, {
        type: 'StartExecution',
        data: { executionId, leaseOwner, leaseMs: this.leaseMs },
        metadata: this.metadata(),
      });
      if (handled.state.status !== 'Running' || handled.state.leaseOwner !== leaseOwner) {
        return { kind: 'retry', reason: `StartExecution left the execution ${handled.state.status}` };
      }
      running = handled.state;
    } catch (error) {
      return this.startRefused(executionId, error);
    }
    const { execution, attempt, leaseExpiresAt } = running;
    const fields = { executionId, attempt, leaseOwner, kind: execution.action.kind, target: execution.action.target };
    this.log('info', 'execution attempt started', fields);

    const verdict = await this.check.check(execution);
    if (!verdict.ok) {
      this.log('warn', 'execution refused by the pre-run check', { ...fields, why: verdict.why, detail: verdict.detail });
      await this.tolerateLostLease(() =>
        bus.send('execution', executionId, {
          type: 'RefuseExecution',
          data: { executionId, why: verdict.why, detail: verdict.detail, leaseOwner },
          metadata: this.metadata(),
        }),
      );
      return { kind: 'done', reason: `refused: ${verdict.why}` };
    }

    const executor = this.options.executors.executorFor(execution.action.kind);
    if (!executor) {
      const outcome: ExecutionOutcome = {
        status: 'failed',
        code: 'EXECUTION.NO_EXECUTOR',
        error: `no executor is configured for ${execution.action.kind} (configured: ${this.options.executors.kinds.join(', ') || 'none'})`,
        retryable: false,
      };
      return this.record(execution, attempt, leaseOwner, outcome, fields);
    }

    const lease = new AttemptLease(bus, {
      executionId,
      attempt,
      leaseOwner,
      leaseMs: this.leaseMs,
      leaseExpiresAt,
      renewEveryMs: this.options.renewEveryMs,
      now: this.now,
      actor: this.actor,
      onRenewError: (error) => this.log('warn', 'lease renewal failed', { ...fields, err: error }),
    });
    lease.start();
    let outcome: ExecutionOutcome;
    try {
      const journal = await EventStoreExecutionJournal.open(this.options.store, { executionId, attempt, leaseOwner, signal: lease.signal, now: this.now });
      const context: ExecutionContext = {
        executionId,
        idempotencyKey: execution.idempotencyKey,
        attempt,
        journal,
        heartbeat: () => lease.heartbeat(),
        signal: signal ? AbortSignal.any([lease.signal, signal]) : lease.signal,
      };
      outcome = await executor.execute(execution.action, context);
    } catch (error) {
      outcome = {
        status: 'failed',
        code: error instanceof LeaseLostError ? 'EXECUTION.LEASE_LOST' : 'EXECUTION.EXECUTOR_ERROR',
        error: error instanceof Error ? error.message : String(error),
        retryable: true,
      };
    } finally {
      await lease.stop();
    }
    if (lease.lost) this.log('warn', 'the attempt lost its lease while running', { ...fields, reason: String(lease.signal.reason) });
    return this.record(execution, attempt, leaseOwner, outcome, fields);
  }

  private async record(
    execution: ExecutionRecord,
    attempt: number,
    leaseOwner: string,
    outcome: ExecutionOutcome,
    fields: Record<string, unknown>,
  ): Promise<JobDisposition> {
    const { executionId } = execution;
    if (outcome.status === 'succeeded') {
      const result: JsonObject = { ...toJsonObject(outcome.result), ...(outcome.inverse ? { inverse: toJsonObject(outcome.inverse) } : {}) };
      const recorded = await this.tolerateLostLease(() =>
        this.options.bus.send('execution', executionId, {
          type: 'RecordExecutionSuccess',
          data: { executionId, attempt, leaseOwner, result },
          metadata: this.metadata(),
        }),
      );
      if (!recorded) return { kind: 'done', reason: 'succeeded, but the lease was lost first: the next attempt reconciles from the journal' };
      this.log('info', 'execution succeeded', fields);
      return { kind: 'done', reason: 'succeeded' };
    }
    const error = `${outcome.code}: ${outcome.error}`;
    const recorded = await this.tolerateLostLease(() =>
      this.options.bus.send('execution', executionId, {
        type: 'RecordExecutionFailure',
        data: { executionId, attempt, leaseOwner, error, retryable: outcome.retryable },
        metadata: this.metadata(),
      }),
    );
    if (!recorded) return this.afterLostLease(executionId);
    const failed = recorded.events.find((event) => event.type === 'ExecutionFailed');
    const willRetry = failed?.type === 'ExecutionFailed' && failed.data.willRetry;
    this.log(willRetry ? 'warn' : 'error', willRetry ? 'execution attempt failed; will retry' : 'execution failed', { ...fields, error, retryable: outcome.retryable });
    return willRetry ? { kind: 'retry', reason: error } : { kind: 'done', reason: `failed: ${error}` };
  }

  /** After losing the lease: if nobody took over, the execution waits for a retry (this job's); otherwise it is done. */
  private async afterLostLease(executionId: string): Promise<JobDisposition> {
    const { state } = await this.options.bus.load('execution', executionId);
    if (state.status === 'AwaitingRetry') return { kind: 'retry', reason: 'the attempt lost its lease; the execution awaits a retry' };
    if (state.status === 'Running') return { kind: 'delay', untilMs: Date.parse(state.leaseExpiresAt) + this.slack(), reason: 'another attempt holds the lease' };
    return { kind: 'done', reason: `the attempt lost its lease; execution is ${state.status}` };
  }

  private async startRefused(executionId: string, error: unknown): Promise<JobDisposition> {
    if (!(error instanceof DomainError)) throw error;
    switch (error.code) {
      case 'EXECUTION.LEASE_HELD': {
        const until = Date.parse(String(error.details?.leaseExpiresAt ?? ''));
        return { kind: 'delay', untilMs: (Number.isNaN(until) ? this.now().getTime() + this.leaseMs : until) + this.slack(), reason: error.message };
      }
      case 'EXECUTION.ATTEMPTS_EXHAUSTED':
        // The last attempt's lease ran out: that is a final failure, recorded by ExpireLease.
        await this.options.bus.send('execution', executionId, { type: 'ExpireLease', data: { executionId }, metadata: this.metadata() }).catch((expireError: unknown) => {
          if (!(expireError instanceof DomainError)) throw expireError;
        });
        return { kind: 'done', reason: error.message };
      case 'EXECUTION.CLOSED':
        return { kind: 'done', reason: error.message };
      default:
        throw error;
    }
  }

  /** Runs a command of the attempt; a refusal meaning "this attempt is over" yields undefined instead of throwing. */
  private async tolerateLostLease<T>(send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof DomainError && ['EXECUTION.STALE_ATTEMPT', 'EXECUTION.NOT_LEASE_OWNER', 'EXECUTION.NOT_RUNNING', 'EXECUTION.CLOSED', 'EXECUTION.LEASE_HELD'].includes(error.code)) {
        this.log('warn', 'the attempt was over before it could report', { code: error.code, message: error.message });
        return undefined;
      }
      throw error;
    }
  }

  private slack(): number {
    return this.options.leaseHeldSlackMs ?? 250;
  }

  private metadata() {
    return { now: this.now().toISOString(), actor: this.actor };
  }
}

function toJsonObject(value: unknown): JsonObject {
  const copy: unknown = JSON.parse(JSON.stringify(value ?? {}));
  return isJsonObject(copy) ? copy : { value: copy as JsonObject[string] };
}
