import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';

export const EXECUTION_QUEUE_NAME = 'vigil-executions';
export const EXECUTION_JOB_NAME = 'execute';

export interface ExecutionJobData {
  readonly executionId: string;
}

export interface ExecutionQueueOptions {
  /** An ioredis instance (with `maxRetriesPerRequest: null`) or connection options. */
  readonly connection: ConnectionOptions;
  /** Redis key prefix (BullMQ default `bull`); tests use their own to share one Redis. */
  readonly prefix?: string;
  /** Queue-level tries of one job (retryable failures and infrastructure errors); default 10. */
  readonly attempts?: number;
  /** First retry delay, doubled each time (exponential backoff); default 1 000 ms. */
  readonly backoffDelayMs?: number;
}

/** Result of `ensureQueued`. */
export type RedriveResult =
  /** A job was (re)created and waits for a worker. */
  | 'added'
  /** A job already waits (or is delayed) for a worker. */
  | 'queued'
  /** A live worker holds the job's lock; it will finish or stall. */
  | 'running';

/**
 * The BullMQ queue `vigil-executions`: one job per execution, `jobId = executionId`, so enqueueing an execution
 * while its job exists is a no-op. Retries (attempts, exponential backoff) are declared here, on the jobs.
 * The execution stream, not the queue, guarantees the action runs once: a duplicate job finds the lease held or
 * the execution over.
 */
export class ExecutionQueue {
  static readonly DEFAULT_ATTEMPTS = 10;
  static readonly DEFAULT_BACKOFF_DELAY_MS = 1_000;

  readonly queue: Queue<ExecutionJobData, unknown, string>;
  readonly jobOptions: DefaultJobOptions;

  constructor(options: ExecutionQueueOptions) {
    this.jobOptions = ExecutionQueue.jobOptions(options);
    this.queue = new Queue<ExecutionJobData, unknown, string>(EXECUTION_QUEUE_NAME, {
      connection: options.connection,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      defaultJobOptions: this.jobOptions,
    });
  }

  /** Attempts and backoff of every execution job; completed jobs stay a day so late duplicates stay no-ops. */
  static jobOptions(options: Pick<ExecutionQueueOptions, 'attempts' | 'backoffDelayMs'> = {}): DefaultJobOptions {
    return {
      attempts: options.attempts ?? ExecutionQueue.DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: options.backoffDelayMs ?? ExecutionQueue.DEFAULT_BACKOFF_DELAY_MS },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    };
  }

  /** Adds the job of `executionId` unless it exists (waiting, delayed, running, or finished within the retention). */
  async enqueue(executionId: string): Promise<void> {
    await this.queue.add(EXECUTION_JOB_NAME, { executionId }, { jobId: executionId });
  }

  /**
   * Makes sure a worker will look at the execution again (the sweeper's re-drive): keeps a waiting or delayed job,
   * replaces a finished one, and replaces a running one whose lock is gone (its worker died). A job whose lock is
   * held is left to its worker.
   */
  async ensureQueued(executionId: string): Promise<RedriveResult> {
    const state = await this.queue.getJobState(executionId);
    switch (state) {
      case 'unknown':
        await this.enqueue(executionId);
        return 'added';
      case 'waiting':
      case 'delayed':
      case 'prioritized':
      case 'waiting-children':
        return 'queued';
      case 'completed':
      case 'failed':
      case 'active':
      default: {
        // remove() refuses (0) while a worker holds the job's lock.
        const removed = await this.queue.remove(executionId);
        if (removed === 0 && (await this.queue.getJobState(executionId)) !== 'unknown') return 'running';
        await this.enqueue(executionId);
        return 'added';
      }
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
