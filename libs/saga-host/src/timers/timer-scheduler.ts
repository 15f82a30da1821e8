import { Schedule } from '@vigil/domain/approval-saga';

/** Durable timers keyed by their deterministic ids. */
export interface TimerScheduler {
  /** Arms the timer; arming one that exists is a no-op. A timer whose time has passed runs at once. */
  schedule(timer: Schedule): Promise<void>;
  /** Like `schedule`, and also revives a timer whose runs all failed. What the reconciler uses. */
  ensure(timer: Schedule): Promise<'added' | 'exists' | 'retried'>;
  /** Drops the timer; one that is gone, or never was, is fine. */
  cancel(timerId: string): Promise<void>;
}
