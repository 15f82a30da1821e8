import { ExecutionVerified } from '@vigil/domain/execution';
import { ApprovalGranted } from '@vigil/domain/approval';
import { RecordedEvent } from '@vigil/event-store';
import { pagerDutyDedupKey, PagerDutyEvents, PagerDutySeverity, proposalDedupKey } from '@vigil/integrations/pagerduty';
import { Notification } from '@vigil/notifications';
import { CannotDeliver, DeliveryRequest, DeliveryResult, RetryLater } from '../deliveries/delivery';
import { DeliveryService } from '../deliveries/delivery-service';
import { IncidentLinks } from '../deliveries/incident-links';
import { Reactor } from '../deliveries/log-follower';
import { noSuppressions, Suppressions } from '../deliveries/suppression';
import { correlationOf } from '../slack/slack-deliveries';
import { PagerDutyConfig, routingKeyNameFor } from './pagerduty-config';
import { PagerDutyPages } from './pagerduty-pages';

const SEVERITY: Record<Notification['severity'], PagerDutySeverity> = { critical: 'critical', warning: 'error', info: 'info' };

/**
 * PagerDuty pages for Vigil incidents (an incident is an anomaly; dedup key `vigil-incident-<anomaly id>`): trigger
 * for a severe anomaly and for each escalation level that pages (routing key of the level), acknowledge when the
 * approval is granted, resolve only once the execution is verified to have recovered the signal. Acknowledge and
 * resolve go to every routing key that was triggered for the incident.
 */
export class PagerDutyDeliveries {
  constructor(
    private readonly config: PagerDutyConfig,
    private readonly events: PagerDutyEvents,
    private readonly pages: PagerDutyPages,
    private readonly links: IncidentLinks,
    private readonly suppressions: Suppressions = noSuppressions,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  register(deliveries: DeliveryService): void {
    deliveries.register('pagerduty.notice', (payload) => this.trigger(payload as Notification));
    deliveries.register('pagerduty.ack', (payload) => this.follow('acknowledge', payload as { approvalId?: string; executionId?: string }));
    deliveries.register('pagerduty.resolve', (payload) => this.follow('resolve', payload as { approvalId?: string; executionId?: string }));
  }

  /** The incident a notice is about: its anomaly, or the anomaly of its approval's proposal. */
  private async incidentOf(refs: Readonly<Record<string, string>>): Promise<{ dedupKey: string; anomalyId?: string; service?: string; operation?: string; signal?: string }> {
    let anomalyId: string | undefined = refs.anomalyId;
    let proposalId: string | undefined = refs.proposalId;
    if (!anomalyId && refs.approvalId) {
      const proposal = await this.links.proposalOfApproval(refs.approvalId);
      anomalyId = proposal?.anomalyId ?? anomalyId;
      proposalId = proposal?.proposalId ?? proposalId;
    }
    if (!anomalyId && refs.executionId) {
      const { proposal } = await this.links.proposalOfExecution(refs.executionId);
      anomalyId = proposal?.anomalyId;
      proposalId = proposal?.proposalId ?? proposalId;
    }
    if (anomalyId) {
      const anomaly = await this.links.anomaly(anomalyId);
      return { dedupKey: pagerDutyDedupKey(anomalyId), anomalyId, ...(anomaly ? { service: anomaly.service, operation: anomaly.operation, signal: anomaly.signal } : {}) };
    }
    if (proposalId) return { dedupKey: proposalDedupKey(proposalId) };
    throw new CannotDeliver('the notice names no anomaly, approval or proposal to page about');
  }

  async trigger(notification: Notification): Promise<DeliveryResult> {
    const incident = await this.incidentOf(notification.refs);
    if (incident.anomalyId) {
      const silence = await this.suppressions.silenceFor(incident.anomalyId, this.clock());
      if (silence) return { skipped: `anomaly ${incident.anomalyId} is silenced by ${silence.silenceId} (${silence.comment})` };
    }
    const routingKeyName = routingKeyNameFor(this.config, notification.level);
    if (!routingKeyName) throw new CannotDeliver('no PagerDuty routing key is configured');
    const links = [
      ...(this.config.publicUrl && notification.refs.approvalId ? [{ href: `${this.config.publicUrl}/approvals/${notification.refs.approvalId}`, text: 'Approval in Vigil' }] : []),
      ...(this.config.publicUrl && incident.anomalyId ? [{ href: `${this.config.publicUrl}/incidents/${incident.anomalyId}`, text: 'Incident timeline in Vigil' }] : []),
    ];
    const result = await this.events.send({
      routingKey: this.config.routingKeys[routingKeyName],
      action: 'trigger',
      dedupKey: incident.dedupKey,
      payload: {
        summary: notification.level !== undefined ? `${notification.subject} (escalation level ${notification.level})` : notification.subject,
        source: this.config.source,
        severity: SEVERITY[notification.severity],
        timestamp: notification.at,
        ...(incident.service ? { component: incident.service } : {}),
        ...(incident.operation ? { group: incident.operation } : {}),
        ...(incident.signal ? { class: incident.signal } : {}),
        customDetails: {
          message: notification.message,
          target: notification.target,
          ...(notification.level !== undefined ? { level: notification.level } : {}),
          ...notification.refs,
          ...(notification.correlationId ? { correlationId: notification.correlationId } : {}),
        },
      },
      links,
    });
    await this.pages.triggered(incident.dedupKey, routingKeyName, incident.anomalyId, this.clock());
    return { externalRef: `pagerduty:${result.dedupKey}` };
  }

  /** Acknowledge or resolve the incident of an approval (grant) or an execution (verified recovery) everywhere it paged. */
  async follow(action: 'acknowledge' | 'resolve', about: { approvalId?: string; executionId?: string }): Promise<DeliveryResult> {
    let approvalId = about.approvalId;
    if (about.executionId) approvalId = (await this.links.execution(about.executionId))?.execution.approvalId ?? approvalId;
    const incident = await this.incidentOf({ ...(approvalId ? { approvalId } : {}), ...(about.executionId ? { executionId: about.executionId } : {}) });
    if ((await this.pages.pendingTriggers(incident.anomalyId, approvalId)) > 0) throw new RetryLater(`a page for ${incident.dedupKey} is still being delivered`, 2000);
    const open = (await this.pages.of(incident.dedupKey)).filter((p) => p.state === 'triggered' && !p.resolvedAt && (action === 'resolve' || !p.acknowledgedAt));
    if (open.length === 0) return { skipped: `nothing paged for ${incident.dedupKey}` };
    for (const page of open) {
      const routingKey = this.config.routingKeys[page.routingKeyName];
      if (!routingKey) throw new CannotDeliver(`${page.routingKeyName} is no longer configured; ${action} ${incident.dedupKey} in PagerDuty by hand`);
      await this.events.send({ routingKey, action, dedupKey: incident.dedupKey });
      await this.pages.mark(incident.dedupKey, page.routingKeyName, action, this.clock());
    }
    return { externalRef: `pagerduty:${incident.dedupKey}` };
  }

  reactor(): Reactor {
    return async (event: RecordedEvent): Promise<DeliveryRequest[]> => {
      if (event.type === 'ApprovalGranted') {
        const { approvalId } = event.data as ApprovalGranted['data'];
        return [{ id: `pagerduty.ack:${event.eventId}`, channel: 'pagerduty', kind: 'pagerduty.ack', payload: { approvalId }, correlationId: correlationOf(event) }];
      }
      if (event.type === 'ExecutionVerified') {
        const { executionId, recovered } = event.data as ExecutionVerified['data'];
        // Resolve only on a verified recovery: a change that did not help leaves the incident open.
        if (!recovered) return [];
        return [{ id: `pagerduty.resolve:${event.eventId}`, channel: 'pagerduty', kind: 'pagerduty.resolve', payload: { executionId }, correlationId: correlationOf(event) }];
      }
      return [];
    };
  }
}
