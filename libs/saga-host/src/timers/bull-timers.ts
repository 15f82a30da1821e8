import { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { Schedule, TimerWork } from '@vigil/domain/approval-saga';
import { parseInstant } from '@vigil/domain/shared';
import { SagaLogger, silentLogger } from '../logger';
import { within } from '../timeouts';
import { TimerScheduler } from './timer-scheduler';
import { TimerOutcome, TimerWorkRunner } from './timer-work-runner';

export const TIMER_QUEUE = 'vigil-timers';

export interface BullTimersOptions {
  /** Redis for BullMQ: `{ url }`, `{ host, port }` or an ioredis instance (with `maxRetriesPerRequest: null`). */
  readonly connection: ConnectionOptions;
  /** BullMQ key prefix. Default `bull`. */
  readonly prefix?: string;
  /** Default `vigil-timers`. */
  readonly queueName?: string;
  /** Timers run at once per process. Default 4. */
  readonly concurrency?: number;
  /** Runs of a timer whose command keeps failing (store down…) before it is left failed for the reconciler. Default 8. */
  readonly attempts?: number;
  /** First retry delay, doubled each time. Default 1000 ms. */
  readonly backoffMs?: number;
  readonly logger?: SagaLogger;
  /** Milliseconds since the epoch, for the delays. */
  readonly now?: () => number;
}

export interface TimerJobData {
  readonly timerId: string;
  readonly at: string;
  readonly work: TimerWork;
}

/** BullMQ job ids may not contain `:`; timer ids do. A reversible, deterministic mapping. */
export const jobIdOf = (timerId: string): string => timerId.replace(/%/g, '%25').replace(/:/g, '%3A');

/**
 * Timers as BullMQ delayed jobs in one queue, job id = timer id: arming a timer twice is one job. The job's data
 * is the work to do when due; the worker does it through the TimerWorkRunner (command bus, idempotency key).
 * Completed jobs are removed (a re-armed timer that fires again appends nothing); failed ones are kept so the
 * reconciler can retry them.
 */
export class BullTimers implements TimerScheduler {
  readonly queue: Queue<TimerJobData, TimerOutcome>;
  private worker?: Worker<TimerJobData, TimerOutcome>;
  private readonly logger: SagaLogger;

  constructor(
    private readonly options: BullTimersOptions,
    private readonly runner: TimerWorkRunner,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.queue = new Queue<TimerJobData, TimerOutcome>(options.queueName ?? TIMER_QUEUE, { connection: options.connection, prefix: options.prefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'timer queue: redis error'));
  }

  async schedule(timer: Schedule): Promise<void> {
    const delay = Math.max(0, (parseInstant(timer.at) ?? 0) - (this.options.now?.() ?? Date.now()));
    await this.queue.add(
      'timer',
      { timerId: timer.timerId, at: timer.at, work: timer.work },
      {
        jobId: jobIdOf(timer.timerId),
        delay,
        attempts: this.options.attempts ?? 8,
        backoff: { type: 'exponential', delay: this.options.backoffMs ?? 1000 },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
    this.logger.debug({ timerId: timer.timerId, at: timer.at, delay }, 'timer armed');
  }

  async ensure(timer: Schedule): Promise<'added' | 'exists' | 'retried'> {
    const job = await this.queue.getJob(jobIdOf(timer.timerId));
    if (!job) {
      await this.schedule(timer);
      return 'added';
    }
    if (await job.isFailed()) {
      await job.retry('failed');
      return 'retried';
    }
    return 'exists';
  }

  async cancel(timerId: string): Promise<void> {
    try {
      await this.queue.remove(jobIdOf(timerId));
    } catch (error) {
      // Running right now (locked): it will find the approval decided and append nothing.
      this.logger.debug({ timerId, err: error }, 'timer not cancelled');
    }
  }

  /** Starts working due timers in this process. */
  start(): void {
    if (this.worker) return;
    const worker = new Worker<TimerJobData, TimerOutcome>(
      this.queue.name,
      async (job: Job<TimerJobData, TimerOutcome>) => this.runner.perform(job.data.work),
      { connection: this.options.connection, prefix: this.options.prefix, concurrency: this.options.concurrency ?? 4 },
    );
    worker.on('completed', (job, outcome) => this.logger.info({ timerId: job.data.timerId, at: job.data.at, outcome }, 'timer fired'));
    worker.on('failed', (job, error) =>
      this.logger.error({ timerId: job?.data.timerId, attempt: job?.attemptsMade, err: error }, 'timer failed; BullMQ retries it, then the reconciler'),
    );
    worker.on('error', (error) => this.logger.warn({ err: error }, 'timer worker: redis error'));
    this.worker = worker;
  }

  /** Lets running timers finish (up to 5 s; then, or with Redis gone, closes without waiting) and closes the queue. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker && (await within(worker.close().then(() => true), 5000)) === undefined) await within(worker.close(true), 2000);
    if ((await within(this.queue.close().then(() => true), 5000)) === undefined) this.logger.warn({}, 'timer queue did not close cleanly');
  }
}
