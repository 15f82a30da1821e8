import { START } from '@vigil/event-store';
import { readSagaCheckpoint, setSagaCheckpoint } from './checkpoint';
import { startSagaHarness, SagaHarness } from './testing/saga-harness';

jest.setTimeout(60_000);

const ROLLBACK = { kind: 'argocd.rollback' as const, target: 'argocd:payments-api', params: { revision: 'v41' } };

describe('saga host: a grant', () => {
  let h: SagaHarness;
  beforeAll(async () => {
    h = await startSagaHarness();
  });
  afterAll(() => h.teardown());

  it('cancels the timer, stops the escalation and requests the execution exactly once, even when the saga runs over it again', async () => {
    const host = h.host();
    await host.start();
    const { proposalId } = await h.proposeForAnomaly(ROLLBACK);
    const approval = await h.approvalRequestedFor(proposalId);
    const timerId = `approval-timeout:${approval.approvalId}:0`;
    await h.waitFor('the level-0 timer', async () => (await h.timerJob(host, timerId)) ?? false);
    await h.eventOf('NotificationSent', (data) => data.level === 0 && data.channel === 'log');
    const beforeVote = await readSagaCheckpoint(h.fx.app);

    await h.bus.send('approval', approval.approvalId, {
      type: 'CastVote',
      data: { approvalId: approval.approvalId, roles: ['team-lead'], decision: 'approve', proposalVersion: 1, actionHash: approval.actionHash },
      metadata: { now: new Date().toISOString(), actor: 'tl-tom' },
    });
    await h.eventOf('ApprovalGranted', (data) => data.approvalId === approval.approvalId);

    const requested = await h.eventOf('ExecutionRequested', (data) => data.approvalId === approval.approvalId);
    expect(requested.data).toMatchObject({ proposalId, action: ROLLBACK, actionHash: approval.actionHash, maxAttempts: 3 });
    expect(requested.metadata).toMatchObject({ actor: 'system:saga', causationId: expect.any(String), idempotencyKey: expect.stringContaining(approval.approvalId) });
    await h.eventOf('EscalationStopped', (data) => data.approvalId === approval.approvalId && data.why === 'granted');
    await h.waitFor('the timer to be cancelled', async () => (await h.timerJob(host, timerId)) === undefined);
    await h.waitFor('the saga to catch up', async () => {
      const head = await h.fx.store.headPosition();
      const checkpoint = await readSagaCheckpoint(h.fx.app);
      return checkpoint.commit === head.commit && checkpoint.prepare === head.prepare;
    });
    await host.stop();
    const logBefore = await h.events();
    const webhookBefore = h.webhook.arrivals.length;
    const escalationLogLinesBefore = h.logLines.filter((line) => line.object.escalationId).length;

    // A restarted host from an older checkpoint — once from just before the vote, once from the very start.
    for (const from of [beforeVote, START]) {
      await setSagaCheckpoint(h.fx.app, from);
      const again = h.host();
      await again.start();
      await h.waitFor('the re-run to reach the head', async () => {
        const head = await h.fx.store.headPosition();
        const checkpoint = await readSagaCheckpoint(h.fx.app);
        return checkpoint.commit === head.commit && checkpoint.prepare === head.prepare;
      });
      expect(await h.timerJob(again, timerId)).toBeUndefined();
      await again.stop();
      const logAfter = await h.events();
      expect(logAfter.map((e) => e.eventId)).toEqual(logBefore.map((e) => e.eventId));
      expect(logAfter.filter((e) => e.type === 'ExecutionRequested')).toHaveLength(1);
      // Escalation notices were recorded as sent: none went out twice.
      expect(h.webhook.arrivals.length).toBe(webhookBefore);
      expect(h.logLines.filter((line) => line.object.escalationId).length).toBe(escalationLogLinesBefore);
    }
  });
});
