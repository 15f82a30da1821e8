import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';

export const INVESTIGATION_QUEUE_NAME = 'vigil-investigations';
const JOB_NAME = 'investigate';

export interface InvestigationJob {
  readonly investigationId: string;
  /** The InvestigationOpened event: the commands' causation, and its correlation id. */
  readonly openedEventId: string;
  readonly correlationId?: string;
}

export interface InvestigationQueueOptions {
  /** An ioredis instance (with `maxRetriesPerRequest: null`) or connection options. */
  readonly connection: ConnectionOptions;
  /** Redis key prefix (BullMQ default `bull`), as VIGIL_QUEUE_PREFIX. */
  readonly prefix?: string;
  /** Tries of one investigation (ClickHouse or Postgres unreachable). Default 5. */
  readonly attempts?: number;
  /** First retry delay, doubled each time. Default 2 000 ms. */
  readonly backoffDelayMs?: number;
  /** Investigations run at once per process (each runs a handful of ClickHouse queries). Default 2. */
  readonly concurrency?: number;
  /** How long a job waits before it runs, so the incident's other anomalies are detected first. Default 0. */
  readonly groupWaitMs?: number;
}

/**
 * The BullMQ queue `vigil-investigations`: one job per investigation (`jobId` = its id, so enqueueing it again while
 * the job exists is a no-op), worked here with retries and exponential backoff. The investigation's own commands
 * carry idempotency keys, so a job that runs twice appends nothing twice.
 */
export class InvestigationQueue {
  private readonly queue: Queue<InvestigationJob, void, string>;
  private worker?: Worker<InvestigationJob, void, string>;

  constructor(private readonly options: InvestigationQueueOptions) {
    this.queue = new Queue<InvestigationJob, void, string>(INVESTIGATION_QUEUE_NAME, {
      connection: options.connection,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      defaultJobOptions: {
        attempts: options.attempts ?? 5,
        backoff: { type: 'exponential', delay: options.backoffDelayMs ?? 2_000 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    });
  }

  async enqueue(job: InvestigationJob): Promise<void> {
    await this.queue.add(JOB_NAME, job, { jobId: job.investigationId, ...(this.options.groupWaitMs ? { delay: this.options.groupWaitMs } : {}) });
  }

  /**
   * Runs an investigation's job again, without the group wait (its incident is already detected), once per `reason`:
   * the first job's id stays taken while BullMQ keeps it.
   */
  async enqueueAgain(job: InvestigationJob, reason: string): Promise<void> {
    await this.queue.add(JOB_NAME, job, { jobId: `${job.investigationId}:${reason}` });
  }

  /**
   * Starts working jobs with `run`; a throw retries the job with backoff until its attempts run out, and `onFailed`
   * hears of every failure (`final` on the last attempt).
   */
  work(run: (job: InvestigationJob) => Promise<void>, onFailed: (job: InvestigationJob | undefined, error: Error, final: boolean) => void): void {
    if (this.worker) return;
    this.worker = new Worker<InvestigationJob, void, string>(INVESTIGATION_QUEUE_NAME, (job: Job<InvestigationJob, void, string>) => run(job.data), {
      connection: this.options.connection,
      ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
      concurrency: this.options.concurrency ?? 2,
    });
    this.worker.on('failed', (job, error) => onFailed(job?.data, error, job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)));
    this.worker.on('error', (error) => onFailed(undefined, error, false));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
