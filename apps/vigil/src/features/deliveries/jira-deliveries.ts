import { CommandBus } from '@vigil/application';
import { ApprovalCancelled, ApprovalExpired, ApprovalGranted, ApprovalRejected } from '@vigil/domain/approval';
import { actionAt } from '@vigil/domain/approval-saga';
import { ExecutionFailed, ExecutionRefused, ExecutionSucceeded, ExecutionVerified } from '@vigil/domain/execution';
import { FindingRecorded, InvestigationConcluded, InvestigationOpened } from '@vigil/domain/investigation';
import { RecordedEvent } from '@vigil/event-store';
import { JiraText, JiraTracker } from '@vigil/integrations/jira';
import { refusalOf } from '@vigil/saga-host';
import { DeliveryRequest, DeliveryResult, RetryLater } from './delivery';
import { DeliveryService, DeliveryTry } from './delivery-service';
import { IncidentLinks } from './incident-links';
import { Reactor } from './log-follower';

export interface JiraConfig {
  readonly host: string;
  readonly email: string;
  readonly apiToken: string;
  readonly projectKey: string;
  readonly issueType?: string;
  readonly doneTransition?: string;
  readonly publicUrl?: string;
}

/** Jira is on when JIRA_HOST is set; it then needs JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT_KEY. */
export function jiraConfigFrom(env: NodeJS.ProcessEnv): JiraConfig | undefined {
  const host = env.JIRA_HOST?.trim();
  if (!host) return undefined;
  const missing = ['JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PROJECT_KEY'].filter((name) => !env[name]?.trim());
  if (missing.length) throw new Error(`JIRA_HOST is set but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not`);
  return {
    host: host.replace(/\/+$/, ''),
    email: env.JIRA_EMAIL!.trim(),
    apiToken: env.JIRA_API_TOKEN!.trim(),
    projectKey: env.JIRA_PROJECT_KEY!.trim(),
    ...(env.JIRA_ISSUE_TYPE?.trim() ? { issueType: env.JIRA_ISSUE_TYPE.trim() } : {}),
    ...(env.JIRA_DONE_TRANSITION?.trim() ? { doneTransition: env.JIRA_DONE_TRANSITION.trim() } : {}),
    ...(env.VIGIL_PUBLIC_URL?.trim() ? { publicUrl: env.VIGIL_PUBLIC_URL.trim().replace(/\/+$/, '') } : {}),
  };
}

/** The label that finds an investigation's issue again (so a create that is retried after Jira created the issue links that issue). */
export const investigationLabel = (investigationId: string): string => `vigil-investigation-${investigationId}`;

/**
 * Jira tickets: one issue per investigation (created when it opens, linked with LinkTicket{jiraKey}, found by its
 * label before creating so a retry never makes two), comments on findings, the conclusion, the decision on each
 * proposal and each execution outcome, and the transition to done when an execution is verified to have recovered.
 */
export class JiraDeliveries {
  constructor(
    private readonly config: JiraConfig,
    private readonly tracker: JiraTracker,
    private readonly links: IncidentLinks,
    private readonly bus: CommandBus,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  register(deliveries: DeliveryService): void {
    deliveries.register('jira.create', (payload) => this.create((payload as { investigationId: string }).investigationId));
    deliveries.register('jira.comment', (payload, attempt) => this.comment(payload as { investigationId: string; text: JiraText[] }, attempt));
    deliveries.register('jira.done', (payload) => this.done((payload as { investigationId: string }).investigationId));
  }

  async create(investigationId: string): Promise<DeliveryResult> {
    const { state } = await this.links.investigation(investigationId);
    if (state.status === 'Initial') throw new RetryLater(`investigation ${investigationId} is not in the log yet`);
    if (state.investigation.jiraKey) return { externalRef: `jira:${state.investigation.jiraKey}` };
    const label = investigationLabel(investigationId);
    // Always looked for (once per investigation): a create Jira took whose LinkTicket was lost must not be made twice.
    let key = await this.tracker.findByLabel(label);
    if (!key) {
      const anomalies = await Promise.all(state.investigation.anomalyIds.map((id) => this.links.anomaly(id)));
      const first = anomalies.find((a) => a !== undefined);
      const summary = first ? `[Vigil] ${first.signal} on ${first.service} ${first.operation} (${first.state.anomaly.severity})` : `[Vigil] investigation ${investigationId}`;
      const description: JiraText[] = [
        'Opened by Vigil for an anomaly; findings, decisions and the outcome are added as comments.',
        {
          bullets: anomalies
            .filter((a) => a !== undefined)
            .map((a) => `${a.signal} on ${a.service} ${a.operation}: expected ${a.first.expected}, saw ${a.first.actual} (score ${a.first.score}) in ${a.first.window.start} – ${a.first.window.end}`),
        },
        `Investigation ${investigationId}`,
        ...(this.config.publicUrl && first ? [{ link: `${this.config.publicUrl}/incidents/${first.anomalyId}`, text: 'Incident timeline in Vigil' }] : []),
      ];
      key = await this.tracker.createIssue({ summary, description, labels: ['vigil', label] });
    }
    try {
      await this.bus.send('investigation', investigationId, {
        type: 'LinkTicket',
        data: { investigationId, jiraKey: key },
        metadata: { now: this.clock(), actor: 'system:jira', correlationId: `jira:${investigationId}`, idempotencyKey: `jira:link:${investigationId}` },
      });
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
    }
    return { externalRef: `jira:${key}` };
  }

  private async keyOf(investigationId: string): Promise<string> {
    const { state } = await this.links.investigation(investigationId);
    if (state.status === 'Initial' || !state.investigation.jiraKey) throw new RetryLater(`investigation ${investigationId} has no ticket yet`, 2000);
    return state.investigation.jiraKey;
  }

  /** Each comment ends with its delivery's marker; a retry looks for it first, so a comment Jira took is not added twice. */
  async comment(payload: { investigationId: string; text: JiraText[] }, attempt: DeliveryTry): Promise<DeliveryResult> {
    const key = await this.keyOf(payload.investigationId);
    const { id } = await this.tracker.commentOnce(key, payload.text, attempt.deliveryId, attempt.retried);
    return { externalRef: `jira:${key}:comment:${id}` };
  }

  async done(investigationId: string): Promise<DeliveryResult> {
    const key = await this.keyOf(investigationId);
    const moved = await this.tracker.transitionToDone(key);
    return moved ? { externalRef: `jira:${key}:done` } : { skipped: `${key} is already done` };
  }

  reactor(): Reactor {
    return async (event: RecordedEvent): Promise<DeliveryRequest[]> => {
      const correlationId = event.metadata.correlationId ?? event.eventId;
      const comment = (investigationId: string | undefined, text: JiraText[]): DeliveryRequest[] =>
        investigationId ? [{ id: `jira.comment:${event.eventId}`, channel: 'jira', kind: 'jira.comment', payload: { investigationId, text }, correlationId }] : [];
      switch (event.type) {
        case 'InvestigationOpened': {
          const { investigationId } = event.data as InvestigationOpened['data'];
          return [{ id: `jira.create:${investigationId}`, channel: 'jira', kind: 'jira.create', payload: { investigationId }, correlationId }];
        }
        case 'FindingRecorded': {
          const e = event.data as FindingRecorded['data'];
          return comment(e.investigationId, [`Finding (${e.kind}, score ${e.score}) by ${e.recordedBy}: ${e.summary}`]);
        }
        case 'InvestigationConcluded': {
          const e = event.data as InvestigationConcluded['data'];
          return comment(e.investigationId, ['Investigation concluded. Hypotheses, most likely first:', { bullets: e.hypotheses.map((h) => `${h.summary} (confidence ${h.confidence})`) }]);
        }
        case 'ApprovalGranted':
        case 'ApprovalRejected':
        case 'ApprovalExpired':
        case 'ApprovalCancelled': {
          const e = event.data as (ApprovalGranted | ApprovalRejected | ApprovalExpired | ApprovalCancelled)['data'];
          const proposal = await this.links.proposal(e.proposalId);
          const approval = await this.links.approval(e.approvalId);
          const action = proposal && approval ? actionAt(proposal, approval.approval.proposalVersion) : undefined;
          const what = action ? `${action.kind} on ${action.target} ${JSON.stringify(action.params)}` : `proposal ${e.proposalId}`;
          const decision =
            event.type === 'ApprovalGranted'
              ? `approved by ${[...new Set((e as ApprovalGranted['data']).approvers.map((a) => a.by))].join(', ')}`
              : event.type === 'ApprovalRejected'
                ? `rejected by ${(e as ApprovalRejected['data']).by}: ${(e as ApprovalRejected['data']).reason}`
                : event.type === 'ApprovalExpired'
                  ? 'expired: nobody decided in time'
                  : `cancelled (${(e as ApprovalCancelled['data']).reason})`;
          return comment(await this.links.investigationOfProposal(proposal), [`Proposal ${what}: ${decision}.`]);
        }
        case 'ExecutionSucceeded':
        case 'ExecutionFailed':
        case 'ExecutionRefused':
        case 'ExecutionVerified': {
          const e = event.data as (ExecutionSucceeded | ExecutionFailed | ExecutionRefused | ExecutionVerified)['data'];
          if (event.type === 'ExecutionFailed' && (e as ExecutionFailed['data']).willRetry) return [];
          const { proposal, execution } = await this.links.proposalOfExecution(e.executionId);
          const investigationId = await this.links.investigationOfProposal(proposal);
          const what = execution ? `${execution.execution.action.kind} on ${execution.execution.action.target}` : `execution ${e.executionId}`;
          const text =
            event.type === 'ExecutionSucceeded'
              ? `Executed ${what} (attempt ${(e as ExecutionSucceeded['data']).attempt}); the signal is re-checked next.`
              : event.type === 'ExecutionFailed'
                ? `Execution of ${what} failed for good: ${(e as ExecutionFailed['data']).error}`
                : event.type === 'ExecutionRefused'
                  ? `Execution of ${what} refused: ${(e as ExecutionRefused['data']).why}`
                  : (e as ExecutionVerified['data']).recovered
                    ? `Verified: the signal recovered after ${what}. Resolving.`
                    : `The signal did not recover after ${what}; a compensation is proposed.`;
          const requests = comment(investigationId, [text]);
          if (event.type === 'ExecutionVerified' && (e as ExecutionVerified['data']).recovered && investigationId) {
            requests.push({ id: `jira.done:${event.eventId}`, channel: 'jira', kind: 'jira.done', payload: { investigationId }, correlationId });
          }
          return requests;
        }
        default:
          return [];
      }
    };
  }
}
