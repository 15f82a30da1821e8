import { DomainEvent } from '@vigil/domain/shared';
import { EscalationLevel, NotificationChannel, NotifyTarget } from './levels';

export type EscalationStopReason = 'granted' | 'rejected' | 'acknowledged' | 'cancelled';
export const ESCALATION_STOP_REASONS: readonly EscalationStopReason[] = ['granted', 'rejected', 'acknowledged', 'cancelled'];

export type EscalationStarted = DomainEvent<
  'EscalationStarted',
  { readonly escalationId: string; readonly approvalId: string; readonly levels: readonly EscalationLevel[]; readonly at: string }
>;

export type EscalationLevelReached = DomainEvent<
  'EscalationLevelReached',
  {
    readonly escalationId: string;
    readonly approvalId: string;
    readonly level: number;
    readonly targets: readonly NotifyTarget[];
    readonly channels: readonly NotificationChannel[];
    readonly at: string;
  }
>;

export type NotificationSent = DomainEvent<
  'NotificationSent',
  {
    readonly escalationId: string;
    readonly level: number;
    readonly channel: NotificationChannel;
    readonly target: NotifyTarget;
    /** Slack message ts, PagerDuty dedup key, webhook delivery id… */
    readonly externalRef: string;
    readonly at: string;
  }
>;

export type NotificationFailed = DomainEvent<
  'NotificationFailed',
  {
    readonly escalationId: string;
    readonly level: number;
    readonly channel: NotificationChannel;
    readonly target: NotifyTarget;
    readonly error: string;
    readonly retryable: boolean;
    readonly at: string;
  }
>;

export type NotificationSuppressed = DomainEvent<
  'NotificationSuppressed',
  {
    readonly escalationId: string;
    readonly level: number;
    readonly channel: NotificationChannel;
    readonly target: NotifyTarget;
    readonly silenceId: string;
    readonly reason: string;
    readonly at: string;
  }
>;

export type EscalationStopped = DomainEvent<
  'EscalationStopped',
  { readonly escalationId: string; readonly approvalId: string; readonly why: EscalationStopReason; readonly by: string; readonly at: string }
>;

/** Advanced past the last level with nobody deciding: the approval expires. */
export type EscalationExhausted = DomainEvent<
  'EscalationExhausted',
  { readonly escalationId: string; readonly approvalId: string; readonly lastLevel: number; readonly at: string }
>;

export type EscalationEvent =
  | EscalationStarted
  | EscalationLevelReached
  | NotificationSent
  | NotificationFailed
  | NotificationSuppressed
  | EscalationStopped
  | EscalationExhausted;
