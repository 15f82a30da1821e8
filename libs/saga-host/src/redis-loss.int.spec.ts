import Redis from 'ioredis';
import { parseInstant } from '@vigil/domain/shared';
import { RedisHandle, startRedis } from '@vigil/testing';
import { startSagaHarness, SagaHarness } from './testing/saga-harness';

jest.setTimeout(60_000);

const ROLLBACK = { kind: 'argocd.rollback' as const, target: 'argocd:payments-api', params: { revision: 'v41' } };
const SCALE = { kind: 'k8s.scale' as const, target: 'k8s:prod/payments/deployment/api', params: { replicas: 6 } };

/** When the webhook got the level-1 page of an approval, minus its level-0 deadline. */
function lateness(h: SagaHarness, approvalId: string, deadline: string): number | undefined {
  const page = h.webhook.arrivals.find((a) => a.body.level === 1 && a.body.refs.approvalId === approvalId);
  return page && page.receivedAt - (parseInstant(deadline) as number);
}

describe('saga host: Redis loses its data while approvals are pending', () => {
  let redis: RedisHandle;
  let h: SagaHarness;
  beforeAll(async () => {
    redis = await startRedis({ ignoreEnv: true });
  });
  afterEach(() => h?.teardown());
  afterAll(() => redis?.stop());

  it('restarted empty, with the host restarted: the reconciler re-arms every timer and escalations fire within 5 s of their deadlines', async () => {
    // Medium after 3 s, low after 8 s.
    h = await startSagaHarness({ env: { VIGIL_APPROVAL_TIMEOUT_MEDIUM: '3s', VIGIL_APPROVAL_TIMEOUT_LOW: '8s' }, redisUrl: redis.url });
    const first = h.host();
    await first.start();
    const medium = await h.approvalRequestedFor((await h.proposeForAnomaly(ROLLBACK)).proposalId);
    const low = await h.approvalRequestedFor((await h.proposeForAnomaly(SCALE)).proposalId);
    await h.waitFor('both level-0 timers', async () =>
      (await h.timerJob(first, `approval-timeout:${medium.approvalId}:0`)) && (await h.timerJob(first, `approval-timeout:${low.approvalId}:0`)),
    );

    // The process dies and Redis comes back empty; the medium deadline passes while nothing runs.
    await first.stop();
    await redis.restart();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (parseInstant(medium.deadline) as number) + 1000 - Date.now())));

    const second = h.host();
    await second.start();
    // start() returns after the first reconciliation: the low approval's timer is armed again, still waiting.
    expect(await (await h.timerJob(second, `approval-timeout:${low.approvalId}:0`))?.getState()).toBe('delayed');

    const mediumLate = await h.waitFor('the overdue medium escalation', async () => lateness(h, medium.approvalId, medium.deadline), 10_000);
    expect(mediumLate).toBeGreaterThanOrEqual(0);
    expect(mediumLate).toBeLessThan(5000);
    const lowLate = await h.waitFor('the low escalation', async () => lateness(h, low.approvalId, low.deadline), 15_000);
    expect(lowLate).toBeGreaterThanOrEqual(0);
    expect(lowLate).toBeLessThan(5000);
    for (const approvalId of [medium.approvalId, low.approvalId]) {
      await h.eventOf('ApprovalDeadlineExtended', (data) => data.approvalId === approvalId && data.level === 1);
    }
    await second.stop();
  });

  it('FLUSHALL under a running host: the periodic reconciler re-arms the timers and the escalation fires on time', async () => {
    h = await startSagaHarness({ env: { VIGIL_APPROVAL_TIMEOUT_MEDIUM: '5s' }, redisUrl: redis.url, reconcileIntervalMs: 500 });
    const host = h.host();
    await host.start();
    const approval = await h.approvalRequestedFor((await h.proposeForAnomaly(ROLLBACK)).proposalId);
    const timerId = `approval-timeout:${approval.approvalId}:0`;
    await h.waitFor('the level-0 timer', async () => (await h.timerJob(host, timerId)) ?? false);

    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await admin.flushall();
      expect(await admin.dbsize()).toBeLessThan(5);
    } finally {
      admin.disconnect();
    }
    await h.waitFor('the timer to be re-armed', async () => (await h.timerJob(host, timerId)) ?? false, 5000);

    const late = await h.waitFor('the level-1 escalation', async () => lateness(h, approval.approvalId, approval.deadline), 15_000);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(5000);
    await host.stop();
  });

  it('Redis down when the host starts and a proposal comes in: the saga goes on without it, and once Redis is back the escalation still fires on time', async () => {
    h = await startSagaHarness({ env: { VIGIL_APPROVAL_TIMEOUT_MEDIUM: '6s' }, redisUrl: redis.url, reconcileIntervalMs: 500 });
    await redis.kill();
    const host = h.host({ timerOperationTimeoutMs: 500, reconciler: { startWaitMs: 500, stopWaitMs: 500 } });
    await host.start();
    const approval = await h.approvalRequestedFor((await h.proposeForAnomaly(ROLLBACK)).proposalId);
    // Not held up by the missing timer: the level-0 notice goes out.
    await h.eventOf('NotificationSent', (data) => data.level === 0 && data.channel === 'log' && typeof data.escalationId === 'string');
    await redis.restart();
    await h.waitFor('the timer to be armed', async () => (await h.timerJob(host, `approval-timeout:${approval.approvalId}:0`)) ?? false, 5000);
    const late = await h.waitFor('the level-1 escalation', async () => lateness(h, approval.approvalId, approval.deadline), 15_000);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(5000);
    await host.stop();
  });
});
