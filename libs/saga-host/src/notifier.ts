import { CommandBus, streamIdOf } from '@vigil/application';
import { assertNever } from '@vigil/domain/shared';
import { Notify } from '@vigil/domain/approval-saga';
import { NotificationChannel as ChannelName } from '@vigil/domain/escalation';
import { EventStore } from '@vigil/event-store';
import { Delivery, NotificationChannel, isRetryableDeliveryError } from '../../notifications/src';
import { Clock, SagaLogger, silentLogger, systemClock } from './logger';
import { refusalOf } from './refusals';

/** The delivery implementation of each escalation channel; a channel without one is recorded as failed, never skipped silently. */
export type ChannelRegistry = Partial<Record<ChannelName, NotificationChannel>>;

/** Whether a silence or maintenance window covers an anomaly now (the app's silence registry). */
export interface NoticeSuppressions {
  silenceFor(anomalyId: string, now: string): Promise<{ readonly silenceId: string; readonly comment: string } | undefined>;
}

export interface NotifierOptions {
  /** Notices about a silenced anomaly (directly, or through the proposal an approval is for) are not sent. */
  readonly suppressions?: NoticeSuppressions;
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
    const silence = await this.silenceOf(notice);
    if (silence) {
      this.logger.info({ key: notice.key, channel: notice.channel, silenceId: silence.silenceId }, 'notification suppressed by a silence');
      if (escalation) await this.record(notice, escalation, { type: 'RecordNotificationSuppressed', silenceId: silence.silenceId, reason: silence.comment });
      return;
    }
    const outcome = await this.deliver(notice);
    if (!escalation) {
      if ('error' in outcome) this.logger.warn({ key: notice.key, channel: notice.channel, error: outcome.error }, 'notification not delivered');
      return;
    }
    await this.record(notice, escalation, 'externalRef' in outcome ? { type: 'RecordNotificationSent', externalRef: outcome.externalRef } : { type: 'RecordNotificationFailed', ...outcome });
  }

  /** Records a level notice's outcome on its escalation (idempotency key = the notice key). */
  private async record(
    notice: Notify,
    { escalationId, level }: { escalationId: string; level: number },
    outcome:
      | { type: 'RecordNotificationSent'; externalRef: string }
      | { type: 'RecordNotificationFailed'; error: string; retryable: boolean }
      | { type: 'RecordNotificationSuppressed'; silenceId: string; reason: string },
  ): Promise<void> {
    const metadata = {
      now: this.clock(),
      actor: 'system:saga',
      causationId: notice.causationId,
      ...(notice.correlationId ? { correlationId: notice.correlationId } : {}),
      idempotencyKey: notice.key,
    };
    const base = { escalationId, level, channel: notice.channel, target: notice.target };
    try {
      switch (outcome.type) {
        case 'RecordNotificationSent':
          await this.bus.send('escalation', escalationId, { type: outcome.type, data: { ...base, externalRef: outcome.externalRef }, metadata });
          break;
        case 'RecordNotificationFailed':
          await this.bus.send('escalation', escalationId, { type: outcome.type, data: { ...base, error: outcome.error, retryable: outcome.retryable }, metadata });
          break;
        case 'RecordNotificationSuppressed':
          await this.bus.send('escalation', escalationId, { type: outcome.type, data: { ...base, silenceId: outcome.silenceId, reason: outcome.reason }, metadata });
          break;
        default:
          assertNever(outcome, 'notification outcome');
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

  /** The anomaly a notice is about: named in its refs, or the one its proposal was made for. */
  private async silenceOf(notice: Notify): Promise<{ silenceId: string; comment: string } | undefined> {
    const suppressions = this.options.suppressions;
    if (!suppressions) return undefined;
    let anomalyId: string | undefined = notice.refs.anomalyId;
    if (!anomalyId && notice.refs.proposalId) {
      const { state } = await this.bus.load('proposal', notice.refs.proposalId);
      anomalyId = state.status === 'Initial' ? undefined : state.proposal.anomalyId;
    }
    return anomalyId ? suppressions.silenceFor(anomalyId, this.clock()) : undefined;
  }

  private async alreadyRecorded(escalationId: string, key: string): Promise<boolean> {
    const events = await this.store.readStream(streamIdOf('escalation', escalationId));
    return events.some((event) => event.metadata.idempotencyKey === key);
  }
}
