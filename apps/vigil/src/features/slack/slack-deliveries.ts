import { EscalationLevelReached, EscalationStopped, NotifyTarget } from '@vigil/domain/escalation';
import { ExecutionFailed, ExecutionRefused, ExecutionRequested, ExecutionSucceeded, ExecutionVerified } from '@vigil/domain/execution';
import { RecordedEvent } from '@vigil/event-store';
import { renderApprovalCard, SlackApi, SlackMessage } from '@vigil/integrations/slack';
import { Notification } from '@vigil/notifications';
import { CannotDeliver, DeliveryRequest, DeliveryResult, RetryLater } from '../deliveries/delivery';
import { DeliveryService, DeliveryTry } from '../deliveries/delivery-service';
import { IncidentLinks } from '../deliveries/incident-links';
import { Reactor } from '../deliveries/log-follower';
import { loadApprovalCard } from './approval-card-loader';
import { SlackCards } from './slack-cards';
import { SlackConfig } from './slack-config';

export const slackRef = (channel: string, ts: string): string => `slack:${channel}:${ts}`;
/** The delivery key of an approval's card: one card per approval, whichever delivery posts it. */
export const cardDeliveryKey = (approvalId: string): string => `approval-card:${approvalId}`;
/** Slack's ts and Vigil's clock may disagree a little; look this much further back than the delivery's request. */
const LOOKUP_CLOCK_MARGIN_MS = 5 * 60_000;
/** A card may have been posted by another level-0 delivery of the approval, requested a little earlier than this one. */
const CARD_LOOKUP_MARGIN_MS = 60 * 60_000;
const lookupSince = (attempt: DeliveryTry, marginMs: number): string => new Date(Date.parse(attempt.requestedAt) - marginMs).toISOString();
const who = (target: NotifyTarget): string => ('role' in target ? `a ${target.role}` : target.user);

/**
 * The Slack deliveries: the approval card (posted once per approval, updated in place), replies in its thread,
 * other notices as messages, and ephemeral answers to the person who clicked (through the interaction's response_url).
 */
export class SlackDeliveries {
  constructor(
    private readonly config: SlackConfig,
    private readonly api: SlackApi,
    private readonly cards: SlackCards,
    private readonly links: IncidentLinks,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  register(deliveries: DeliveryService): void {
    deliveries.register('slack.notice', (payload, attempt) => this.notice(payload as Notification, attempt));
    deliveries.register('slack.card-update', (payload) => this.updateCard((payload as { approvalId: string }).approvalId));
    deliveries.register('slack.thread', (payload, attempt) => this.thread(payload as { approvalId: string; text: string }, attempt));
    deliveries.register('slack.respond', (payload) => this.respond(payload as { responseUrl: string; text: string }));
  }

  /** A saga notice: level 0 of an approval is its card; later notices of an approval go to the card's thread. */
  async notice(notification: Notification, attempt: DeliveryTry): Promise<DeliveryResult> {
    const approvalId = notification.refs.approvalId;
    if (approvalId && notification.level === 0) return this.postCard(approvalId, attempt);
    const text = `*${notification.subject}*\n${notification.message}`;
    if (approvalId) {
      const card = await this.cards.get(approvalId);
      if (card?.ts && card.channel) {
        return this.postOnce({ channel: card.channel, threadTs: card.ts, text: `${severityIcon(notification.severity)} ${text}\n_(for ${who(notification.target)})_` }, attempt);
      }
    }
    const channel = this.config.defaultChannel ?? Object.values(this.config.channels)[0];
    if (!channel) throw new CannotDeliver('no Slack channel configured for notices');
    return this.postOnce({ channel, text: `${severityIcon(notification.severity)} ${text}` }, attempt);
  }

  /** Posts a message keyed by the delivery, looking first for the one an earlier try may have posted. */
  private async postOnce(message: SlackMessage, attempt: DeliveryTry): Promise<DeliveryResult> {
    const posted = await this.api.postOnce({ ...message, deliveryKey: attempt.deliveryId }, attempt.retried ? { since: lookupSince(attempt, LOOKUP_CLOCK_MARGIN_MS) } : undefined);
    return { externalRef: slackRef(posted.channel, posted.ts) };
  }

  private async postCard(approvalId: string, attempt: DeliveryTry): Promise<DeliveryResult> {
    const now = this.clock();
    const claim = await this.cards.claim(approvalId, now);
    if (!claim) {
      const card = await this.cards.get(approvalId);
      // Another target of level 0 (high tier: an SRE and a manager) shares the one card.
      if (card?.ts && card.channel) return { externalRef: slackRef(card.channel, card.ts) };
      throw new RetryLater('the card is being posted by another delivery', 1000);
    }
    try {
      const model = await loadApprovalCard(this.links, approvalId, this.config.publicUrl);
      if (!model) throw new RetryLater(`approval ${approvalId} is not in the log yet`);
      const channel = this.config.channels[model.tier as keyof SlackConfig['channels']] ?? this.config.defaultChannel;
      if (!channel) throw new CannotDeliver(`no Slack channel for the ${model.tier} tier: set SLACK_CHANNEL_${model.tier.toUpperCase()} or SLACK_DEFAULT_CHANNEL`);
      // Keyed by the approval: a taken-over claim may be another delivery's post that died before it was recorded.
      const posted = await this.api.postOnce(
        { channel, ...renderApprovalCard(model), deliveryKey: cardDeliveryKey(approvalId) },
        attempt.retried || claim.takenOver ? { since: lookupSince(attempt, CARD_LOOKUP_MARGIN_MS) } : undefined,
      );
      await this.cards.posted(approvalId, posted.channel, posted.ts, this.clock());
      return { externalRef: slackRef(posted.channel, posted.ts) };
    } catch (error) {
      await this.cards.release(approvalId);
      throw error;
    }
  }

  /** Re-renders the card from the approval as it is now (so updates applied late or twice are harmless). */
  async updateCard(approvalId: string): Promise<DeliveryResult> {
    const card = await this.cards.get(approvalId);
    if (!card) return { skipped: `no Slack card for approval ${approvalId}` };
    if (!card.ts || !card.channel) throw new RetryLater('the card is not posted yet', 1000);
    const model = await loadApprovalCard(this.links, approvalId, this.config.publicUrl);
    if (!model) return { skipped: `approval ${approvalId} not found` };
    const updated = await this.api.update({ channel: card.channel, ts: card.ts, ...renderApprovalCard(model) });
    return { externalRef: slackRef(updated.channel, updated.ts) };
  }

  async thread(payload: { approvalId: string; text: string }, attempt: DeliveryTry): Promise<DeliveryResult> {
    const card = await this.cards.get(payload.approvalId);
    if (!card) return { skipped: `no Slack card for approval ${payload.approvalId}` };
    if (!card.ts || !card.channel) throw new RetryLater('the card is not posted yet', 1000);
    return this.postOnce({ channel: card.channel, threadTs: card.ts, text: payload.text }, attempt);
  }

  async respond(payload: { responseUrl: string; text: string }): Promise<DeliveryResult> {
    await this.api.respond(payload.responseUrl, { text: payload.text, ephemeral: true });
    return { externalRef: 'slack:response_url' };
  }

  /** Card updates as votes arrive and the approval ends; escalations and execution outcomes in the card's thread. */
  reactor(): Reactor {
    return async (event: RecordedEvent): Promise<DeliveryRequest[]> => {
      const data = event.data as Record<string, unknown>;
      const update = (approvalId: string): DeliveryRequest[] => [{ id: `slack.card:${event.eventId}`, channel: 'slack', kind: 'slack.card-update', payload: { approvalId }, correlationId: correlationOf(event) }];
      const thread = (approvalId: string | null | undefined, text: string): DeliveryRequest[] =>
        approvalId ? [{ id: `slack.thread:${event.eventId}`, channel: 'slack', kind: 'slack.thread', payload: { approvalId, text }, correlationId: correlationOf(event) }] : [];
      switch (event.type) {
        case 'VoteCast':
        case 'ApprovalGranted':
        case 'ApprovalRejected':
        case 'ApprovalCancelled':
        case 'ApprovalExpired':
        case 'ApprovalDeadlineExtended':
          return update(String(data.approvalId));
        case 'EscalationLevelReached': {
          const e = event.data as EscalationLevelReached['data'];
          // A level with Slack targets is told by its own notices (in the thread); the others are mentioned here.
          if (e.level === 0 || e.channels.includes('slack')) return [];
          return thread(e.approvalId, `:arrow_double_up: Nobody decided in time: escalated to level ${e.level}, notifying ${e.targets.map((t) => `${who(t)} via ${t.channel}`).join(', ')}`);
        }
        case 'EscalationStopped': {
          const e = event.data as EscalationStopped['data'];
          return e.why === 'acknowledged' ? thread(e.approvalId, `:eyes: Acknowledged by ${e.by}: escalation stopped`) : [];
        }
        case 'ExecutionRequested': {
          const e = event.data as ExecutionRequested['data'];
          return thread(e.approvalId, `:arrow_forward: Running ${e.action.kind} on ${e.action.target} (execution ${e.executionId})`);
        }
        case 'ExecutionSucceeded': {
          const e = event.data as ExecutionSucceeded['data'];
          return thread(await this.approvalOfExecution(e.executionId), `:heavy_check_mark: Execution ${e.executionId} succeeded (attempt ${e.attempt}); verifying the signal next`);
        }
        case 'ExecutionFailed': {
          const e = event.data as ExecutionFailed['data'];
          if (e.willRetry) return [];
          return thread(await this.approvalOfExecution(e.executionId), `:rotating_light: Execution ${e.executionId} failed for good (attempt ${e.attempt}): ${e.error}`);
        }
        case 'ExecutionRefused': {
          const e = event.data as ExecutionRefused['data'];
          return thread(await this.approvalOfExecution(e.executionId), `:no_entry: Execution ${e.executionId} refused: ${e.why}${e.detail ? ` (${e.detail})` : ''}`);
        }
        case 'ExecutionVerified': {
          const e = event.data as ExecutionVerified['data'];
          return thread(
            await this.approvalOfExecution(e.executionId),
            e.recovered ? `:white_check_mark: Verified: the signal recovered after execution ${e.executionId}; the anomaly is resolved` : `:warning: The signal did not recover after execution ${e.executionId}; a compensation is proposed`,
          );
        }
        default:
          return [];
      }
    };
  }

  private async approvalOfExecution(executionId: string): Promise<string | undefined> {
    return (await this.links.execution(executionId))?.execution.approvalId ?? undefined;
  }
}

const severityIcon = (severity: Notification['severity']): string => (severity === 'critical' ? ':rotating_light:' : severity === 'warning' ? ':warning:' : ':information_source:');
export const correlationOf = (event: RecordedEvent): string => event.metadata.correlationId ?? event.eventId;
