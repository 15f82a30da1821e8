import { streamIdOf } from '@vigil/application';
import { DEFAULT_SAGA_OPTIONS, approvalTimeoutTimer, proposalFactsOf, verifyExecutionTimer } from '@vigil/domain/approval-saga';
import { addMilliseconds } from '@vigil/domain/shared';
import { EventStore } from '@vigil/event-store';
import { SagaLogger, silentLogger } from '../logger';
import { within } from '../timeouts';
import { TimerScheduler } from '../timers/timer-scheduler';
import { PendingApprovalsSource, PendingVerificationsSource } from './pending-timers';

export interface TimerReconcilerOptions {
  /** Pause between passes. Default 30 s. */
  readonly intervalMs?: number;
  /** Must match the saga's `verifyDelayMs`. Default 5 minutes. */
  readonly verifyDelayMs?: number;
  /** How long start() waits for the first pass. Default 10 s. */
  readonly startWaitMs?: number;
  /** How long stop() waits for a pass in flight. Default 5 s. */
  readonly stopWaitMs?: number;
  readonly logger?: SagaLogger;
}

export interface ReconcileReport {
  readonly approvals: number;
  readonly verifications: number;
  /** Timers that were missing (e.g. Redis was flushed) and are armed again; overdue ones run at once. */
  readonly added: number;
  /** Timers whose every run failed, started again. */
  readonly retried: number;
}

/**
 * Makes sure every timer that must exist does: the current deadline timer of each pending approval (not yet timed
 * out at that deadline) and the verification of each unverified success. Arming an existing timer is a no-op
 * (deterministic job ids), so the pass is safe to repeat — at start-up and every `intervalMs` — and it is what keeps
 * escalations firing after Redis loses its data.
 */
export class TimerReconciler {
  private stopped = true;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly logger: SagaLogger;

  constructor(
    private readonly timers: TimerScheduler,
    private readonly approvals: PendingApprovalsSource,
    private readonly verifications: PendingVerificationsSource | undefined,
    private readonly store: EventStore,
    private readonly options: TimerReconcilerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async reconcileOnce(): Promise<ReconcileReport> {
    let added = 0;
    let retried = 0;
    const count = (result: 'added' | 'exists' | 'retried') => {
      if (result === 'added') added++;
      if (result === 'retried') retried++;
    };
    const approvals = await this.approvals.pendingApprovalDeadlines();
    for (const pending of approvals) {
      if (pending.timedOut) continue;
      count(await this.timers.ensure(approvalTimeoutTimer(pending.approvalId, pending.level, pending.deadline)));
    }
    const verifications = this.verifications ? await this.verifications.pendingVerifications() : [];
    for (const pending of verifications) {
      const proposal = proposalFactsOf(await this.store.readStream(streamIdOf('proposal', pending.proposalId)));
      if (!proposal?.anomalyId) continue;
      const due = addMilliseconds(pending.succeededAt, this.options.verifyDelayMs ?? DEFAULT_SAGA_OPTIONS.verifyDelayMs);
      count(await this.timers.ensure(verifyExecutionTimer(pending.executionId, proposal.anomalyId, due)));
    }
    const report = { approvals: approvals.length, verifications: verifications.length, added, retried };
    if (added || retried) this.logger.warn(report, 'reconciler re-armed missing timers');
    else this.logger.debug(report, 'reconciler: every timer in place');
    return report;
  }

  /**
   * A first pass now, then one every `intervalMs` until stop(). Resolves when the first pass is done, or after
   * `startWaitMs` if Redis does not answer (the pass goes on and arms the timers once it does). Failures are logged.
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const first = this.pass();
    this.loop = first.then(() => this.run());
    if ((await within(first.then(() => true), this.options.startWaitMs ?? 10_000)) === undefined) {
      this.logger.error({}, 'timer reconciliation is waiting for Redis; starting without it');
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.sleep(this.options.intervalMs ?? 30_000);
      if (!this.stopped) await this.pass();
    }
  }

  private async pass(): Promise<void> {
    try {
      await this.reconcileOnce();
    } catch (error) {
      this.logger.error({ err: error }, 'timer reconciliation failed; next pass retries');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Waits up to `stopWaitMs` for a pass in flight (one stuck on an unreachable Redis ends when the timers close). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await within(this.loop ?? Promise.resolve(), this.options.stopWaitMs ?? 5000);
    this.loop = undefined;
  }
}
