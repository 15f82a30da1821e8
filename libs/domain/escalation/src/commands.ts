import { DomainCommand } from '@vigil/domain/shared';
import { EscalationStopReason } from './events';
import { EscalationLevel, NotificationChannel, NotifyTarget } from './levels';

/** Starts the escalation and reaches level 0 (the notice that goes out with the approval request). */
export type StartEscalation = DomainCommand<
  'StartEscalation',
  { readonly escalationId: string; readonly approvalId: string; readonly levels: readonly EscalationLevel[] }
>;

/**
 * Reaches `toLevel`, which must be the next level; one past the last level exhausts the escalation.
 * A level already reached appends nothing, so a redelivered timer is harmless.
 */
export type AdvanceEscalation = DomainCommand<'AdvanceEscalation', { readonly escalationId: string; readonly toLevel: number }>;

export type RecordNotificationSent = DomainCommand<
  'RecordNotificationSent',
  {
    readonly escalationId: string;
    readonly level: number;
    readonly channel: NotificationChannel;
    readonly target: NotifyTarget;
    readonly externalRef: string;
  }
>;

export type RecordNotificationFailed = DomainCommand<
  'RecordNotificationFailed',
  {
    readonly escalationId: string;
    readonly level: number;
    readonly channel: NotificationChannel;
    readonly target: NotifyTarget;
    readonly error: string;
    readonly retryable: boolean;
  }
>;

/** A silence or maintenance window covers the anomaly: the notice was deliberately not sent. */
export type RecordNotificationSuppressed = DomainCommand<
  'RecordNotificationSuppressed',
  {
    readonly escalationId: string;
    readonly level: number;
    readonly channel: NotificationChannel;
    readonly target: NotifyTarget;
    readonly silenceId: string;
    readonly reason: string;
  }
>;

export type StopEscalation = DomainCommand<'StopEscalation', { readonly escalationId: string; readonly why: EscalationStopReason }>;

export type EscalationCommand =
  | StartEscalation
  | AdvanceEscalation
  | RecordNotificationSent
  | RecordNotificationFailed
  | RecordNotificationSuppressed
  | StopEscalation;
