import { CommandBus, streamIdOf } from '@vigil/application';
import { Notify } from '@vigil/domain/approval-saga';
import { NotificationChannel as ChannelName } from '@vigil/domain/escalation';
import { EventStore } from '@vigil/event-store';
import { Delivery, NotificationChannel, isRetryableDeliveryError } from '../../notifications/src';
import { Clock, SagaLogger, silentLogger, systemClock } from './logger';
import { refusalOf } from './refusals';

/** The delivery implementation of each escalation channel; a channel without one is recorded as failed, never skipped silently. */
export type ChannelRegistry = Partial<Record<ChannelName, NotificationChannel>>;

export interface NotifierOptions {
  /** Tries per notification before its failure is recorded (retryable errors only). Default 3. */
  readonly attempts?: number;
  /** Wait before the second try, doubled after each. Default 500 ms. */
  readonly backoffMs?: number;
  readonly logger?: SagaLogger;
  readonly clock?: Clock;
}

/**
 * Performs the saga's Notify outputs. A notice of an escalation level is sent once and its outcome recorded on the
 * escalation (RecordNotificationSent / RecordNotificationFailed, idempotency key = the Notify key); when the saga
 * runs again on the same event, the recorded outcome is found and nothing is sent twice. Other notices (anomaly,
 * execution) are sent at least once.
 */
export class Notifier {
  private readonly logger: SagaLogger;
  private readonly clock: Clock;

  constructor(
    private readonly channels: ChannelRegistry,
    private readonly bus: CommandBus,
    private readonly store: EventStore,
    private readonly options: NotifierOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  async notify(notice: Notify): Promise<void> {
    const escalation = notice.escalationId !== undefined && notice.level !== undefined ? { escalationId: notice.escalationId, level: notice.level } : undefined;
    if (escalation && (await this.alreadyRecorded(escalation.escalationId, notice.key))) {
      this.logger.debug({ key: notice.key }, 'notification already delivered and recorded');
      return;
    }
    const outcome = await this.deliver(notice);
    if (!escalation) {
      if ('error' in outcome) this.logger.warn({ key: notice.key, channel: notice.channel, error: outcome.error }, 'notification not delivered');
      return;
    }
    const metadata = {
      now: this.clock(),
      actor: 'system:saga',
      causationId: notice.causationId,
      ...(notice.correlationId ? { correlationId: notice.correlationId } : {}),
      idempotencyKey: notice.key,
    };
    const { escalationId, level } = escalation;
    try {
      if ('externalRef' in outcome) {
        await this.bus.send('escalation', escalationId, {
          type: 'RecordNotificationSent',
          data: { escalationId, level, channel: notice.channel, target: notice.target, externalRef: outcome.externalRef },
          metadata,
        });
      } else {
        await this.bus.send('escalation', escalationId, {
          type: 'RecordNotificationFailed',
          data: { escalationId, level, channel: notice.channel, target: notice.target, error: outcome.error, retryable: outcome.retryable },
          metadata,
        });
      }
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      this.logger.warn({ key: notice.key, escalationId, code: refusal.code, reason: refusal.message }, 'notification outcome refused by the escalation');
    }
  }

  private async deliver(notice: Notify): Promise<Delivery | { error: string; retryable: boolean }> {
    const channel = this.channels[notice.channel];
    if (!channel) {
      this.logger.error({ key: notice.key, channel: notice.channel, subject: notice.subject }, `no ${notice.channel} channel is configured: notification not sent`);
      return { error: `no ${notice.channel} channel is configured`, retryable: false };
    }
    const attempts = Math.max(1, this.options.attempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        const delivery = await channel.send({
          key: notice.key,
          channel: notice.channel,
          target: notice.target,
          subject: notice.subject,
          message: notice.message,
          severity: notice.severity,
          at: notice.at,
          escalationId: notice.escalationId,
          level: notice.level,
          correlationId: notice.correlationId,
          refs: notice.refs,
        });
        this.logger.info({ key: notice.key, channel: channel.name, externalRef: delivery.externalRef }, 'notification delivered');
        return delivery;
      } catch (error) {
        const retryable = isRetryableDeliveryError(error);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn({ key: notice.key, channel: channel.name, attempt, retryable, error: message }, 'notification delivery failed');
        if (!retryable || attempt >= attempts) return { error: message, retryable };
        await new Promise((resolve) => setTimeout(resolve, (this.options.backoffMs ?? 500) * 2 ** (attempt - 1)));
      }
    }
  }

  private async alreadyRecorded(escalationId: string, key: string): Promise<boolean> {
    const events = await this.store.readStream(streamIdOf('escalation', escalationId));
    return events.some((event) => event.metadata.idempotencyKey === key);
  }
}
