import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { EXECUTION_QUEUE_NAME, type ExecutionJobData } from './execution-queue';
import { DEFAULT_LEASE_MS, ExecutionRunner, type ExecutionRunnerOptions, type JobDisposition } from './execution-runner';

export interface ExecutionWorkerOptions extends ExecutionRunnerOptions {
  /** Same connection settings as the queue's (BullMQ duplicates it for its blocking reads). */
  readonly connection: ConnectionOptions;
  /** Must match the queue's prefix. */
  readonly prefix?: string;
  /** Executions run in parallel by this process; default 4. */
  readonly concurrency?: number;
  /** BullMQ's job lock (kept while the process lives); default leaseMs. A dead worker's job is re-driven after it. */
  readonly lockDurationMs?: number;
  /** How often BullMQ looks for jobs of dead workers; default lockDurationMs. */
  readonly stalledIntervalMs?: number;
  /** Start consuming at once (default true); otherwise call `start()`. */
  readonly autorun?: boolean;
}

/** Thrown to BullMQ so the job is retried with the queue's exponential backoff. */
export class ExecutionRetryLater extends Error {
  override readonly name = 'ExecutionRetryLater';
}

/**
 * Consumes `vigil-executions`: for each job, one pass of the ExecutionRunner over the execution, then completes
 * the job, retries it with backoff (retryable failure that will be retried), or delays it until a lease held by
 * another worker runs out (which does not use up the job's attempts).
 */
export class ExecutionWorker {
  readonly runner: ExecutionRunner;
  readonly worker: Worker<ExecutionJobData, string, string>;
  private readonly dispositions: ((executionId: string, disposition: JobDisposition) => void)[] = [];

  constructor(options: ExecutionWorkerOptions) {
    this.runner = new ExecutionRunner(options);
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const lockDuration = options.lockDurationMs ?? leaseMs;
    this.worker = new Worker<ExecutionJobData, string, string>(EXECUTION_QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection: options.connection,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      concurrency: options.concurrency ?? 4,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration,
      autorun: options.autorun ?? true,
    });
    const log = options.log;
    this.worker.on('error', (error) => log?.('error', 'execution worker error', { err: error }));
    this.worker.on('failed', (job, error) => log?.('warn', 'execution job failed', { executionId: job?.data.executionId, attemptsMade: job?.attemptsMade, err: error.message }));
  }

  /** Starts consuming when constructed with `autorun: false`. */
  start(): void {
    if (!this.worker.isRunning()) void this.worker.run();
  }

  /** Called after each pass (tests and metrics). */
  onDisposition(listener: (executionId: string, disposition: JobDisposition) => void): void {
    this.dispositions.push(listener);
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /**
   * Waits for running passes to finish, then disconnects. `force` does not wait: the passes' leases then run out
   * and the sweeper re-drives them (their executors reconcile from the journal).
   */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
  }

  private async process(job: Job<ExecutionJobData, string, string>, token: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    const { executionId } = job.data;
    const disposition = await this.runner.run(executionId, signal);
    for (const listener of this.dispositions) listener(executionId, disposition);
    switch (disposition.kind) {
      case 'done':
        return disposition.reason;
      case 'retry':
        throw new ExecutionRetryLater(disposition.reason);
      case 'delay':
        await job.moveToDelayed(Math.max(disposition.untilMs, Date.now() + 1), token);
        throw new DelayedError(disposition.reason);
    }
  }
}
