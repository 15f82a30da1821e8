import { randomUUID } from 'node:crypto';
import { startSagaHarness, SagaHarness } from './testing/saga-harness';

jest.setTimeout(60_000);

const ROLLBACK = { kind: 'argocd.rollback' as const, target: 'argocd:payments-api', params: { revision: 'v41' } };

describe('saga host: escalation of an approval whose anomaly is under a silence', () => {
  let h: SagaHarness;
  beforeAll(async () => {
    h = await startSagaHarness({ env: { VIGIL_APPROVAL_TIMEOUT_MEDIUM: '2s' } });
  });
  afterAll(() => h.teardown());

  it('records every level notice as suppressed by the silence and pages nobody, while the approval still escalates and expires', async () => {
    const silenced = new Set<string>();
    const host = h.host({ notifier: { backoffMs: 100, suppressions: { silenceFor: async (anomalyId) => (silenced.has(anomalyId) ? { silenceId: 'sil-maint', comment: 'database maintenance' } : undefined) } } });
    await host.start();
    const anomalyId = randomUUID();
    silenced.add(anomalyId);
    const { proposalId } = await h.proposeForAnomaly(ROLLBACK, anomalyId);

    const approval = await h.approvalRequestedFor(proposalId);
    const suppressed0 = await h.eventOf('NotificationSuppressed', (data) => data.level === 0 && data.channel === 'log');
    expect(suppressed0.data).toMatchObject({ silenceId: 'sil-maint', reason: 'database maintenance', target: { role: 'team-lead', channel: 'log' } });
    const escalationId = (suppressed0.data as { escalationId: string }).escalationId;
    await h.eventOf('NotificationSuppressed', (data) => data.level === 1 && data.channel === 'pagerduty' && data.escalationId === escalationId);
    await h.eventOf('ApprovalExpired', (data) => data.approvalId === approval.approvalId);

    const outcomes = (await h.fx.store.readStream(`escalation-${escalationId}`)).filter((e) => e.type.startsWith('Notification')).map((e) => e.type);
    expect(new Set(outcomes)).toEqual(new Set(['NotificationSuppressed']));
    expect(h.webhook.arrivals.filter((a) => a.body.escalationId === escalationId)).toEqual([]);
    await host.stop();
  });
});
