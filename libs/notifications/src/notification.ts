import { NotificationChannel as ChannelName, NotifyTarget } from '@vigil/domain/escalation';

/** One message to one target through one channel. */
export interface Notification {
  /** Deterministic delivery id: a retry of the same notification carries the same key. */
  readonly key: string;
  /** The escalation channel it was meant for (`log`, `webhook`, `slack`, `pagerduty`). */
  readonly channel: ChannelName;
  readonly target: NotifyTarget;
  readonly subject: string;
  readonly message: string;
  readonly severity: 'info' | 'warning' | 'critical';
  /** When the event behind it happened. */
  readonly at: string;
  readonly escalationId?: string;
  readonly level?: number;
  readonly correlationId?: string;
  /** Ids to link back to (approvalId, proposalId, anomalyId, executionId…). */
  readonly refs: Readonly<Record<string, string>>;
}

export interface Delivery {
  /** Where the message landed: a Slack ts, a PagerDuty dedup key, a webhook delivery id, a log line id. */
  readonly externalRef: string;
}

/** A way to reach people. `send` resolves once the message is accepted, or throws (see NotificationDeliveryError). */
export interface NotificationChannel {
  readonly name: string;
  send(notification: Notification): Promise<Delivery>;
}

/** A delivery that did not go through; `retryable` says whether trying again may help (timeouts, 5xx, 429). */
export class NotificationDeliveryError extends Error {
  readonly type = 'notification-delivery' as const;
  constructor(
    readonly channel: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NotificationDeliveryError';
  }
}

/** Whether to try a failed delivery again: delivery errors say so; anything else (a bug, a bad URL) does not. */
export const isRetryableDeliveryError = (error: unknown): boolean => error instanceof NotificationDeliveryError && error.retryable;
