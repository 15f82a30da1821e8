import type { CommandBus } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';

/** The attempt's lease is gone: another attempt started, the execution closed, or it ran out without renewal. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** Decider answers meaning this attempt is over for good. */
const LOST_CODES = new Set(['EXECUTION.STALE_ATTEMPT', 'EXECUTION.NOT_LEASE_OWNER', 'EXECUTION.CLOSED', 'EXECUTION.NOT_RUNNING']);

export interface AttemptLeaseOptions {
  readonly executionId: string;
  readonly attempt: number;
  readonly leaseOwner: string;
  readonly leaseMs: number;
  readonly leaseExpiresAt: string;
  /** Minimum time between two renewals (heartbeats closer together are dropped); default leaseMs / 3. */
  readonly renewEveryMs?: number;
  readonly now: () => Date;
  readonly actor: string;
  readonly onRenewError?: (error: unknown) => void;
}

/**
 * Keeps the lease of one running attempt: renews it in the background while the process lives (and when the
 * executor heartbeats), and aborts `signal` as soon as the lease is lost — refused by the decider, or expired on
 * the local clock because renewals kept failing (from then on another worker may start the next attempt).
 */
export class AttemptLease {
  private readonly controller = new AbortController();
  private readonly renewEveryMs: number;
  private expiresAtMs: number;
  private lastRenewAtMs: number;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private renewals = 0;

  constructor(
    private readonly bus: Pick<CommandBus, 'send'>,
    private readonly options: AttemptLeaseOptions,
  ) {
    this.renewEveryMs = Math.max(1, options.renewEveryMs ?? Math.floor(options.leaseMs / 3));
    this.expiresAtMs = Date.parse(options.leaseExpiresAt);
    this.lastRenewAtMs = options.now().getTime();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  get renewalCount(): number {
    return this.renewals;
  }

  start(): void {
    const tick = Math.max(10, Math.min(this.renewEveryMs, 1_000));
    this.timer = setInterval(() => {
      if (this.stopped) return;
      if (this.options.now().getTime() >= this.expiresAtMs) {
        this.lose(new LeaseLostError(`the lease of attempt ${this.options.attempt} expired at ${new Date(this.expiresAtMs).toISOString()} without a renewal`));
        return;
      }
      void this.renew().catch(() => undefined);
    }, tick);
    this.timer.unref();
  }

  /** The executor's heartbeat: renews (throttled) and throws LeaseLostError once the lease is gone. */
  async heartbeat(): Promise<void> {
    if (this.lost) throw this.reason();
    await this.renew();
    if (this.lost) throw this.reason();
  }

  /** Stops renewing; waits for a renewal in flight so it cannot race the outcome. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.inFlight?.catch(() => undefined);
  }

  private renew(): Promise<void> {
    if (this.stopped || this.lost) return Promise.resolve();
    if (this.inFlight) return this.inFlight;
    if (this.options.now().getTime() - this.lastRenewAtMs < this.renewEveryMs) return Promise.resolve();
    this.inFlight = this.sendRenewal().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async sendRenewal(): Promise<void> {
    const { executionId, attempt, leaseOwner, leaseMs, actor } = this.options;
    const startedAt = this.options.now();
    try {
      const handled = await this.bus.send('execution', executionId, {
        type: 'RenewLease',
        data: { executionId, attempt, leaseOwner, leaseMs },
        metadata: { now: startedAt.toISOString(), actor },
      });
      const state = handled.state;
      if (state.status === 'Running' && state.leaseOwner === leaseOwner) this.expiresAtMs = Date.parse(state.leaseExpiresAt);
      this.lastRenewAtMs = startedAt.getTime();
      this.renewals++;
    } catch (error) {
      if (error instanceof DomainError && LOST_CODES.has(error.code)) {
        this.lose(new LeaseLostError(`attempt ${attempt} of ${executionId} lost its lease: ${error.message}`));
        return;
      }
      this.options.onRenewError?.(error);
      if (this.options.now().getTime() >= this.expiresAtMs) {
        this.lose(new LeaseLostError(`could not renew the lease of attempt ${attempt} before it expired: ${(error as Error).message}`));
      }
    }
  }

  private lose(reason: LeaseLostError): void {
    if (!this.lost) this.controller.abort(reason);
  }

  private reason(): LeaseLostError {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof LeaseLostError ? reason : new LeaseLostError('lease lost');
  }
}
