import { Delivery, Notification, NotificationChannel, NotificationDeliveryError } from '@vigil/notifications';
import { DeliveryChannel } from './delivery';
import { DeliveryService } from './delivery-service';

/** The delivery id of a saga notice: its Notify key, so the saga running a reaction again asks for the same delivery. */
export const noticeDeliveryId = (notification: Pick<Notification, 'key'>): string => `notice:${notification.key}`;

/**
 * What the saga host's Notifier sees for a queued channel. The Notifier sends synchronously and records the answer
 * on the escalation; blocking the saga on Slack's rate limits or PagerDuty's outages would hold up every approval
 * behind one slow delivery. So `send` only records the delivery durably and queues it, answering
 * `queued:<delivery id>` (the Notifier records that as the notice being accepted), and the delivery worker records
 * the real outcome on the escalation when it ends: RecordNotificationSent with the Slack ts / PagerDuty dedup key,
 * or RecordNotificationFailed once the tries are spent (the dead letter is listed by the API).
 */
export class QueuedChannel implements NotificationChannel {
  constructor(
    readonly name: DeliveryChannel & Notification['channel'],
    private readonly deliveries: DeliveryService,
  ) {}

  async send(notification: Notification): Promise<Delivery> {
    const escalation =
      notification.escalationId !== undefined && notification.level !== undefined
        ? { escalationId: notification.escalationId, level: notification.level, channel: notification.channel, target: notification.target, noticeKey: notification.key }
        : undefined;
    try {
      const { deliveryId } = await this.deliveries.enqueue({
        id: noticeDeliveryId(notification),
        channel: this.name,
        kind: `${this.name}.notice`,
        payload: notification,
        ...(escalation ? { escalation } : {}),
        ...(notification.correlationId ? { correlationId: notification.correlationId } : {}),
      });
      return { externalRef: `queued:${deliveryId}` };
    } catch (error) {
      // The table is unreachable: nothing was accepted, and the saga's retry of the reaction will ask again.
      throw new NotificationDeliveryError(this.name, `could not queue the notice: ${(error as Error).message}`, true);
    }
  }
}
