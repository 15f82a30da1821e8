import { parseInstant } from '@vigil/domain/shared';
import { startSagaHarness, SagaHarness } from './testing/saga-harness';

// Jest ignores testTimeout inside `projects`; integration specs set their own.
jest.setTimeout(60_000);

const ROLLBACK = { kind: 'argocd.rollback' as const, target: 'argocd:payments-api', params: { revision: 'v41' } };

describe('saga host: a medium-tier approval nobody answers', () => {
  let h: SagaHarness;
  beforeAll(async () => {
    // Medium times out after 3 s: levels at 0, 3 s and 6 s, expiry at 9 s.
    h = await startSagaHarness({ env: { VIGIL_APPROVAL_TIMEOUT_MEDIUM: '3s' } });
  });
  afterAll(() => h.teardown());

  it('requests a team lead\'s approval, notifies level 0, escalates on time through the webhook, then expires and exhausts', async () => {
    const host = h.host();
    await host.start();
    const { proposalId, anomalyId } = await h.proposeForAnomaly(ROLLBACK);

    // The anomaly is investigated and announced.
    await h.eventOf('InvestigationOpened', (data) => (data.anomalyIds as string[]).includes(anomalyId));

    // Proposal → RiskAssessed(medium) → ApprovalRequested for a team lead, with level 0's deadline.
    const approval = await h.approvalRequestedFor(proposalId);
    expect(approval).toMatchObject({ tier: 'medium', requiredRoles: [['team-lead']], proposer: 'ai:investigator', proposalVersion: 1 });
    expect(approval.actionHash).toMatch(/^[0-9a-f]{64}$/);
    const requestedAt = parseInstant(approval.at) as number;
    expect((parseInstant(approval.deadline) as number) - requestedAt).toBe(3000);

    // Level 0: the log channel got the team lead's notice, recorded on the escalation; Slack is not configured, and that is recorded too.
    const sent0 = await h.eventOf('NotificationSent', (data) => data.level === 0 && data.channel === 'log');
    expect(sent0.data).toMatchObject({ target: { role: 'team-lead', channel: 'log' }, externalRef: expect.stringMatching(/^log:saga:/) });
    const escalationId = (sent0.data as { escalationId: string }).escalationId;
    expect(h.logLines.some((line) => line.object.escalationId === escalationId && line.object.level === 0 && line.subject?.startsWith('Approval needed (medium tier)'))).toBe(true);
    await h.eventOf('NotificationFailed', (data) => data.level === 0 && data.channel === 'slack' && data.error === 'no slack channel is configured');

    // The level-0 timer is a delayed BullMQ job named after the approval and the level.
    const job0 = await h.timerJob(host, `approval-timeout:${approval.approvalId}:0`);
    expect(job0 && (await job0.getState())).toBe('delayed');

    // Level 1 at the deadline: ApprovalTimedOut, the escalation reaches level 1, the webhook pages the team lead.
    const page1 = await h.waitFor('the level-1 page at the webhook', async () => h.webhook.arrivals.find((a) => a.body.level === 1 && a.body.escalationId === escalationId), 10_000);
    expect(page1.signed).toBe(true);
    expect(page1.receivedAt - (requestedAt + 3000)).toBeGreaterThanOrEqual(0);
    expect(page1.receivedAt - (requestedAt + 3000)).toBeLessThan(4000);
    expect(page1.body.refs).toMatchObject({ approvalId: approval.approvalId, proposalId });
    await h.eventOf('NotificationSent', (data) => data.level === 1 && data.channel === 'pagerduty' && data.externalRef === 'pager-webhook:dlv-1');
    const timedOut0 = await h.eventOf('ApprovalTimedOut', (data) => data.approvalId === approval.approvalId && data.level === 0);
    expect(timedOut0.metadata).toMatchObject({ actor: 'system:saga', idempotencyKey: `timer:approval-timeout:${approval.approvalId}:0` });
    const extended = await h.eventOf('ApprovalDeadlineExtended', (data) => data.approvalId === approval.approvalId && data.level === 1);
    expect(parseInstant((extended.data as { newDeadline: string }).newDeadline)).toBe(requestedAt + 6000);
    // …and the next timer is armed.
    await h.waitFor('the level-1 timer', async () => (await h.timerJob(host, `approval-timeout:${approval.approvalId}:1`)) ?? false, 3000);

    // Level 2 at 6 s, expiry at 9 s.
    const page2 = await h.waitFor('the level-2 page', async () => h.webhook.arrivals.find((a) => a.body.level === 2 && a.body.escalationId === escalationId), 10_000);
    expect(page2.receivedAt - (requestedAt + 6000)).toBeLessThan(4000);
    const expired = await h.eventOf('ApprovalExpired', (data) => data.approvalId === approval.approvalId);
    expect(expired.data).toMatchObject({ level: 2 });
    expect(parseInstant((expired.data as { deadline: string }).deadline)).toBe(requestedAt + 9000);
    await h.eventOf('EscalationExhausted', (data) => data.escalationId === escalationId && data.lastLevel === 2);

    const approvalStream = (await h.fx.store.readStream(`approval-${approval.approvalId}`)).map((e) => e.type);
    expect(approvalStream).toEqual([
      'ApprovalRequested',
      'ApprovalTimedOut', 'ApprovalDeadlineExtended',
      'ApprovalTimedOut', 'ApprovalDeadlineExtended',
      'ApprovalTimedOut', 'ApprovalExpired',
    ]);
    const escalationStream = (await h.fx.store.readStream(`escalation-${escalationId}`)).map((e) => e.type);
    expect(escalationStream.filter((t) => t !== 'NotificationSent' && t !== 'NotificationFailed')).toEqual([
      'EscalationStarted', 'EscalationLevelReached', 'EscalationLevelReached', 'EscalationLevelReached', 'EscalationExhausted',
    ]);
    // Every target of every level has exactly one recorded outcome: 2 + 2 + 3.
    await h.waitFor('7 notification outcomes', async () => (await h.fx.store.readStream(`escalation-${escalationId}`)).filter((e) => e.type.startsWith('Notification')).length === 7, 5000);
    expect(h.webhook.arrivals.filter((a) => a.body.escalationId === escalationId).map((a) => a.body.level)).toEqual([1, 2]);
    await host.stop();
  });
});
