import { ConnectionOptions } from 'bullmq';
import { Pool } from 'pg';
import { CommandBus, UsersRepository } from '@vigil/application';
import { EventStore } from '@vigil/event-store';
import { JiraTracker } from '@vigil/integrations/jira';
import { PagerDutyEvents } from '@vigil/integrations/pagerduty';
import { SlackApi } from '@vigil/integrations/slack';
import { Notification } from '@vigil/notifications';
import { ChannelRegistry, refusalOf, SagaLogger } from '@vigil/saga-host';
import { SecurityAudit } from '../../auth/security-audit';
import { CastVoteUseCase } from '../approvals/usecases/cast-vote/cast-vote.usecase';
import { PagerDutyConfig, pagerDutyConfigFrom } from '../pagerduty/pagerduty-config';
import { PagerDutyDeliveries } from '../pagerduty/pagerduty-deliveries';
import { PagerDutyPages } from '../pagerduty/pagerduty-pages';
import { SilenceRegistry } from '../silences/silences';
import { SlackCards } from '../slack/slack-cards';
import { SlackConfig, slackConfigFrom } from '../slack/slack-config';
import { SlackDeliveries } from '../slack/slack-deliveries';
import { SlackInteractions } from '../slack/slack-interactions';
import { SlackUserDirectory } from '../slack/slack-users';
import { DeliveryService } from './delivery-service';
import { IncidentLinks } from './incident-links';
import { JiraConfig, jiraConfigFrom, JiraDeliveries } from './jira-deliveries';
import { LogFollower, Reactor } from './log-follower';
import { QueuedChannel } from './queued-channel';
import { Suppressions } from './suppression';

export interface IntegrationsDependencies {
  readonly env: NodeJS.ProcessEnv;
  readonly pool: Pool;
  readonly store: EventStore;
  readonly bus: CommandBus;
  readonly users: UsersRepository;
  readonly redis: ConnectionOptions;
  readonly prefix?: string;
  readonly logger: SagaLogger;
  /** The saga's channel registry: Slack, PagerDuty and the webhook become queued channels in it. */
  readonly channels: ChannelRegistry;
}

const positive = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} must be a positive number`);
  return number;
};

/**
 * Slack, PagerDuty and Jira, the delivery queues under them, and the log follower that feeds them. Built by the
 * runtime before the saga host starts (the saga's channel registry gets the queued channels).
 */
export class Integrations {
  readonly links: IncidentLinks;
  readonly slack?: { readonly config: SlackConfig; readonly api: SlackApi; readonly deliveries: SlackDeliveries; readonly directory: SlackUserDirectory };
  readonly pagerduty?: { readonly config: PagerDutyConfig; readonly events?: PagerDutyEvents; readonly deliveries?: PagerDutyDeliveries };
  readonly jira?: { readonly config: JiraConfig; readonly tracker: JiraTracker };
  /** Silences and maintenance windows. */
  readonly silences: SilenceRegistry;
  readonly suppressions: Suppressions;
  /** Shared bearer tokens of the alert webhooks (ALERTMANAGER_WEBHOOK_TOKEN, GRAFANA_WEBHOOK_TOKEN). */
  readonly alertTokens: { readonly alertmanager?: string; readonly grafana?: string };
  private readonly follower: LogFollower;
  private interactions?: SlackInteractions;

  constructor(
    private readonly deps: IntegrationsDependencies,
    readonly deliveries: DeliveryService,
  ) {
    const { env, pool, store, users, logger, channels } = deps;
    this.links = new IncidentLinks(store);
    const reactors: Reactor[] = [];
    this.silences = new SilenceRegistry(pool, store, this.links);
    this.suppressions = this.silences;
    reactors.push(this.silenceReactor());
    this.alertTokens = {
      ...(env.ALERTMANAGER_WEBHOOK_TOKEN?.trim() ? { alertmanager: env.ALERTMANAGER_WEBHOOK_TOKEN.trim() } : {}),
      ...(env.GRAFANA_WEBHOOK_TOKEN?.trim() ? { grafana: env.GRAFANA_WEBHOOK_TOKEN.trim() } : {}),
    };

    const slackConfig = slackConfigFrom(env);
    if (slackConfig) {
      const api = new SlackApi({ token: slackConfig.token, ...(slackConfig.apiUrl ? { apiUrl: slackConfig.apiUrl } : {}) });
      const slackDeliveries = new SlackDeliveries(slackConfig, api, new SlackCards(pool), this.links);
      slackDeliveries.register(deliveries);
      reactors.push(slackDeliveries.reactor());
      channels.slack = new QueuedChannel('slack', deliveries);
      this.slack = { config: slackConfig, api, deliveries: slackDeliveries, directory: new SlackUserDirectory(users, api) };
      logger.info({ apiUrl: slackConfig.apiUrl ?? 'https://slack.com/api/', channels: slackConfig.channels, defaultChannel: slackConfig.defaultChannel }, 'slack integration on');
    }

    const pagerDutyConfig = pagerDutyConfigFrom(env);
    if (pagerDutyConfig && Object.keys(pagerDutyConfig.routingKeys).length) {
      const events = new PagerDutyEvents({ ...(pagerDutyConfig.eventsUrl ? { url: pagerDutyConfig.eventsUrl } : {}), ...(pagerDutyConfig.caPem ? { caPem: pagerDutyConfig.caPem } : {}) });
      const pagerDutyDeliveries = new PagerDutyDeliveries(pagerDutyConfig, events, new PagerDutyPages(pool), this.links, this.suppressions);
      pagerDutyDeliveries.register(deliveries);
      reactors.push(pagerDutyDeliveries.reactor());
      channels.pagerduty = new QueuedChannel('pagerduty', deliveries);
      this.pagerduty = { config: pagerDutyConfig, events, deliveries: pagerDutyDeliveries };
      logger.info({ eventsUrl: pagerDutyConfig.eventsUrl ?? 'https://events.pagerduty.com', routingKeys: Object.keys(pagerDutyConfig.routingKeys), webhooks: Boolean(pagerDutyConfig.webhookSecret) }, 'pagerduty integration on');
    } else if (pagerDutyConfig) {
      this.pagerduty = { config: pagerDutyConfig };
    }

    const jiraConfig = jiraConfigFrom(env);
    if (jiraConfig) {
      const tracker = new JiraTracker(jiraConfig);
      const jiraDeliveries = new JiraDeliveries(jiraConfig, tracker, this.links, deps.bus);
      jiraDeliveries.register(deliveries);
      reactors.push(jiraDeliveries.reactor());
      this.jira = { config: jiraConfig, tracker };
      logger.info({ host: jiraConfig.host, project: jiraConfig.projectKey }, 'jira integration on');
    }

    const webhook = channels.webhook;
    if (webhook) {
      deliveries.register('webhook.notice', (payload) => webhook.send(payload as Notification));
      channels.webhook = new QueuedChannel('webhook', deliveries);
    }

    this.follower = new LogFollower(pool, store, reactors, deliveries, { logger });
  }

  /** The Slack interactivity handler (Nest builds the vote use case and the audit it needs). */
  slackInteractions(castVote: CastVoteUseCase, audit: SecurityAudit): SlackInteractions | undefined {
    if (!this.slack) return undefined;
    this.interactions ??= new SlackInteractions(this.slack.config, this.slack.api, this.slack.directory, castVote, audit, this.deliveries, this.links, this.deps.pool, this.deps.logger);
    return this.interactions;
  }

  /** An anomaly detected or seen again under an active silence is marked AnomalySuppressed{silenceId} (audited, idempotent). */
  private silenceReactor(): Reactor {
    return async (event) => {
      if (event.type !== 'AnomalyDetected' && event.type !== 'AnomalyUpdated') return [];
      const { anomalyId, at } = event.data as { anomalyId: string; at: string };
      const silence = await this.silences.silenceFor(anomalyId, at);
      if (!silence) return [];
      try {
        await this.deps.bus.send('anomaly', anomalyId, {
          type: 'SuppressAnomaly',
          data: { anomalyId, silenceId: silence.silenceId },
          metadata: { now: at, actor: 'system:silences', correlationId: event.metadata.correlationId ?? event.eventId, idempotencyKey: `silence:${silence.silenceId}:${anomalyId}` },
        });
      } catch (error) {
        if (!refusalOf(error)) throw error;
      }
      return [];
    };
  }

  async start(): Promise<void> {
    const file = this.deps.env.VIGIL_SILENCES_FILE?.trim();
    if (file) this.deps.logger.info({ file, count: await this.silences.loadFile(file, new Date().toISOString()) }, 'maintenance windows loaded');
    await this.deliveries.start();
    this.follower.start();
  }

  async stop(): Promise<void> {
    await this.interactions?.drain();
    await this.follower.stop();
    await this.deliveries.stop();
  }
}

export async function startIntegrations(deps: IntegrationsDependencies): Promise<Integrations> {
  const { env } = deps;
  const deliveries = new DeliveryService({
    pool: deps.pool,
    store: deps.store,
    bus: deps.bus,
    connection: deps.redis,
    prefix: deps.prefix,
    logger: deps.logger,
    attempts: positive(env.VIGIL_DELIVERY_ATTEMPTS, 'VIGIL_DELIVERY_ATTEMPTS'),
    backoffMs: positive(env.VIGIL_DELIVERY_BACKOFF_MS, 'VIGIL_DELIVERY_BACKOFF_MS'),
    maxBackoffMs: positive(env.VIGIL_DELIVERY_MAX_BACKOFF_MS, 'VIGIL_DELIVERY_MAX_BACKOFF_MS'),
  });
  const integrations = new Integrations(deps, deliveries);
  await integrations.start();
  return integrations;
}
