import { NotificationChannel as ChannelName, NotifyTarget } from '@vigil/domain/escalation';

/** The channels that have a delivery queue of their own (one BullMQ queue each). */
export const DELIVERY_CHANNELS = ['slack', 'pagerduty', 'jira', 'webhook'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** When the delivery is an escalation notice: where its outcome is recorded (RecordNotificationSent / Failed). */
export interface EscalationRecord {
  readonly escalationId: string;
  readonly level: number;
  readonly channel: ChannelName;
  readonly target: NotifyTarget;
  /** The saga's Notify key; outcome commands use `<key>:delivered` / `<key>:failed` as idempotency keys. */
  readonly noticeKey: string;
}

/** One thing to deliver. `id` is deterministic (derived from the event or notice behind it): asking twice is one delivery. */
export interface DeliveryRequest {
  readonly id: string;
  readonly channel: DeliveryChannel;
  /** Which handler performs it (`slack.notice`, `pagerduty.ack`, `jira.comment`…). */
  readonly kind: string;
  readonly payload: unknown;
  readonly escalation?: EscalationRecord;
  readonly correlationId?: string;
}

/** What a handler achieved: delivered (with where it landed), or deliberately not sent (and why). */
export type DeliveryResult = { readonly externalRef: string } | { readonly skipped: string };

export interface DeliveryAttempt {
  readonly deliveryId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly correlationId?: string;
}

export type DeliveryHandler = (payload: unknown, attempt: DeliveryAttempt) => Promise<DeliveryResult>;

/**
 * What a handler throws. Duck-typed so each integration keeps its own error class: `retryable` false (or absent)
 * ends the delivery at once; `retryAfterMs` (a 429's Retry-After) is the least wait before the next try.
 */
export interface DeliveryFailure {
  readonly message: string;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
}

export class RetryLater extends Error {
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

export class CannotDeliver extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'CannotDeliver';
  }
}

export const isRetryable = (error: unknown): boolean => (error as DeliveryFailure | null)?.retryable === true;
export const retryAfterOf = (error: unknown): number | undefined => {
  const value = (error as DeliveryFailure | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
};
