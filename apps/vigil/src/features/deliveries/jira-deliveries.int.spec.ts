import { CommandBus } from '@vigil/application';
import { adfText, JiraContractServer, JiraTracker } from '@vigil/integrations/jira';
import { DeliveryTry } from './delivery-service';
import { IncidentLinks } from './incident-links';
import { investigationLabel, JiraConfig, JiraDeliveries } from './jira-deliveries';

/** Investigation `inv-1` as the links read it: open, with the given ticket. */
function linksTo(jiraKey: string | undefined): IncidentLinks {
  const links: Pick<IncidentLinks, 'investigation' | 'anomaly'> = {
    investigation: async () => ({ state: { status: 'Open', investigation: { anomalyIds: [], ...(jiraKey ? { jiraKey } : {}) } }, events: [] }) as unknown as Awaited<ReturnType<IncidentLinks['investigation']>>,
    anomaly: async () => undefined,
  };
  return links as IncidentLinks;
}

const firstTry = (deliveryId: string): DeliveryTry => ({ deliveryId, attempt: 1, requestedAt: new Date().toISOString(), retried: false });
const retryOf = (attempt: DeliveryTry): DeliveryTry => ({ ...attempt, attempt: attempt.attempt + 1, retried: true });

describe('Jira deliveries retried after Jira took the call but Vigil did not record it', () => {
  let jira: JiraContractServer;
  let tracker: JiraTracker;
  let config: JiraConfig;
  beforeEach(async () => {
    jira = await JiraContractServer.start();
    config = { host: jira.url, email: jira.email, apiToken: jira.apiToken, projectKey: jira.projectKey };
    tracker = new JiraTracker(config);
  });
  afterEach(() => jira?.close());

  it('links the issue the first try created instead of creating a second when the process died before LinkTicket', async () => {
    const sent: unknown[] = [];
    let died = false;
    const bus = {
      send: async (...command: unknown[]) => {
        if (!died) {
          died = true;
          throw new Error('process died before LinkTicket was recorded');
        }
        sent.push(command);
      },
    } as unknown as CommandBus;
    const deliveries = new JiraDeliveries(config, tracker, linksTo(undefined), bus);
    await expect(deliveries.create('inv-1')).rejects.toThrow('process died');
    const retried = await deliveries.create('inv-1');
    const issues = [...jira.issues.values()].filter((i) => i.fields.labels.includes(investigationLabel('inv-1')));
    expect(issues).toHaveLength(1);
    expect(retried).toEqual({ externalRef: `jira:${issues[0].key}` });
    expect(sent).toHaveLength(1);
  });

  it('adds a comment whose answer was lost once: the retry finds it by its marker and records its id', async () => {
    const key = await tracker.createIssue({ summary: 'payments', description: [], labels: [investigationLabel('inv-1')] });
    const deliveries = new JiraDeliveries(config, tracker, linksTo(key), { send: async () => undefined } as unknown as CommandBus);
    const payload = { investigationId: 'inv-1', text: ['Proposal argocd.rollback on argocd:payments: approved by lee.'] };
    const attempt = firstTry('jira.comment:event-1');
    jira.loseAnswerNext({ method: 'POST', pathIncludes: '/comment' });
    await expect(deliveries.comment(payload, attempt)).rejects.toMatchObject({ retryable: true });
    const retried = await deliveries.comment(payload, retryOf(attempt));
    const comments = jira.issues.get(key)!.comments;
    expect(comments).toHaveLength(1);
    expect(retried).toEqual({ externalRef: `jira:${key}:comment:${comments[0].id}` });
    expect(adfText(comments[0].body)).toContain('approved by lee');
  });

  it('still adds a retried comment that never reached Jira, and another delivery\'s comment of the same text', async () => {
    const key = await tracker.createIssue({ summary: 'payments', description: [], labels: [investigationLabel('inv-1')] });
    const deliveries = new JiraDeliveries(config, tracker, linksTo(key), { send: async () => undefined } as unknown as CommandBus);
    const payload = { investigationId: 'inv-1', text: ['Execution refused.'] };
    jira.failNext({ pathIncludes: '/comment', status: 503 });
    const attempt = firstTry('jira.comment:event-2');
    await expect(deliveries.comment(payload, attempt)).rejects.toMatchObject({ retryable: true, status: 503 });
    await deliveries.comment(payload, retryOf(attempt));
    await deliveries.comment(payload, retryOf(firstTry('jira.comment:event-3')));
    expect(jira.issues.get(key)!.comments).toHaveLength(2);
  });
});
