import { ConnectionOptions } from 'bullmq';
import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { ApprovalPolicy } from '@vigil/domain/approval';
import { DEFAULT_SAGA_OPTIONS, SagaOptions } from '@vigil/domain/approval-saga';
import { EventStore } from '@vigil/event-store';
import { Clock, SagaLogger, silentLogger, systemClock } from './logger';
import { ChannelRegistry, Notifier, NotifierOptions } from './notifier';
import { OutputRunner } from './output-runner';
import { EventLogTimerIndex, PendingApprovalsSource, PendingVerificationsSource } from './reconciler/pending-timers';
import { TimerReconciler, TimerReconcilerOptions } from './reconciler/timer-reconciler';
import { ApprovalSagaProcessor, SagaProcessorOptions } from './saga-processor';
import { AnomalyStateSignalCheck, SignalCheck } from './signal-check';
import { BullTimers, BullTimersOptions } from './timers/bull-timers';
import { TimerWorkRunner } from './timers/timer-work-runner';

export interface ApprovalSagaHostDependencies {
  /** App-role pool: the advisory lock session and the checkpoint row (projection_checkpoints, name `saga:approval`). */
  readonly pool: Pool;
  readonly store: EventStore;
  /** The one path commands take; every saga and timer command goes through it with its idempotency key. */
  readonly bus: CommandBus;
  readonly policy: ApprovalPolicy;
  /** Redis for the timer queue (BullMQ): `{ url }`, or an ioredis instance created with `maxRetriesPerRequest: null`. */
  readonly redis: ConnectionOptions;
  /** How each escalation channel is delivered: e.g. `{ log: new LogChannel(logger), pagerduty: new WebhookChannel(…) }`. */
  readonly channels: ChannelRegistry;
  /** Verification after a successful execution. Default: AnomalyStateSignalCheck over the event store. */
  readonly signalCheck?: SignalCheck;
  /** Where the reconciler learns pending deadlines. Default: folded from the event log (EventLogTimerIndex). */
  readonly pendingApprovals?: PendingApprovalsSource;
  readonly pendingVerifications?: PendingVerificationsSource;
  readonly logger?: SagaLogger;
  readonly clock?: Clock;
}

export interface ApprovalSagaHostOptions {
  /** The saga's own options (verify delay, paging severities, notice targets, late grace…). */
  readonly saga?: Partial<SagaOptions>;
  readonly processor?: Omit<SagaProcessorOptions, 'saga' | 'logger'>;
  readonly timers?: Omit<BullTimersOptions, 'connection' | 'logger'>;
  readonly notifier?: Omit<NotifierOptions, 'logger' | 'clock'>;
  /** Between reconciler passes. Default 30 s. */
  readonly reconcileIntervalMs?: number;
  /** How long start() waits for the first reconciliation when Redis does not answer (default 10 s), and stop() for a pass in flight (default 5 s). */
  readonly reconciler?: Pick<TimerReconcilerOptions, 'startWaitMs' | 'stopWaitMs'>;
  /** Work due timers in this process. Default true. */
  readonly runTimerWorker?: boolean;
  /** How long a reaction waits for Redis to arm or cancel a timer before going on without it (the reconciler catches up). Default 5000 ms. */
  readonly timerOperationTimeoutMs?: number;
}

/**
 * The approval saga, durable: the processor follows the global log from its checkpoint (single active by advisory
 * lock), the timers are BullMQ delayed jobs in `vigil-timers` worked by every instance, and the reconciler re-arms
 * any timer Redis lost — at start-up and then periodically. start() returns after the first reconciliation.
 * An instance is started once: after stop(), make a new one.
 */
export class ApprovalSagaHost {
  readonly timers: BullTimers;
  readonly processor: ApprovalSagaProcessor;
  readonly reconciler: TimerReconciler;
  readonly notifier: Notifier;
  private readonly runTimerWorker: boolean;
  private started = false;
  private stopped = false;

  constructor(deps: ApprovalSagaHostDependencies, options: ApprovalSagaHostOptions = {}) {
    const logger = deps.logger ?? silentLogger;
    const clock = deps.clock ?? systemClock;
    const signalCheck = deps.signalCheck ?? new AnomalyStateSignalCheck(deps.store);
    const runner = new TimerWorkRunner(deps.bus, signalCheck, logger, clock);
    this.timers = new BullTimers({ ...options.timers, connection: deps.redis, logger }, runner);
    this.notifier = new Notifier(deps.channels, deps.bus, deps.store, { ...options.notifier, logger, clock });
    const outputs = new OutputRunner(deps.bus, this.timers, this.notifier, logger, options.timerOperationTimeoutMs);
    this.processor = new ApprovalSagaProcessor(deps.pool, deps.store, deps.policy, outputs, { ...options.processor, saga: options.saga, logger });
    const index = deps.pendingApprovals && deps.pendingVerifications ? undefined : new EventLogTimerIndex(deps.store);
    this.reconciler = new TimerReconciler(this.timers, deps.pendingApprovals ?? (index as EventLogTimerIndex), deps.pendingVerifications ?? index, deps.store, {
      ...options.reconciler,
      intervalMs: options.reconcileIntervalMs,
      verifyDelayMs: options.saga?.verifyDelayMs ?? DEFAULT_SAGA_OPTIONS.verifyDelayMs,
      logger,
    });
    this.runTimerWorker = options.runTimerWorker ?? true;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.runTimerWorker) this.timers.start();
    await this.reconciler.start();
    this.processor.start();
  }

  /** Wakes the processor now (call after a local append to skip the poll interval). */
  poke(): void {
    this.processor.poke();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.processor.stop();
    await this.reconciler.stop();
    await this.timers.stop();
  }
}
