import { startSagaHarness, SagaHarness } from './testing/saga-harness';

jest.setTimeout(60_000);

const ROLLBACK = { kind: 'argocd.rollback' as const, target: 'argocd:payments-api', params: { revision: 'v41' } };

describe('saga host: single active', () => {
  let h: SagaHarness;
  beforeAll(async () => {
    h = await startSagaHarness();
  });
  afterAll(() => h.teardown());

  it('runs the saga in one host at a time; a standby takes over when the active one stops', async () => {
    const a = h.host();
    const b = h.host();
    await Promise.all([a.start(), b.start()]);
    const first = await h.approvalRequestedFor((await h.proposeForAnomaly(ROLLBACK)).proposalId);
    expect([a.processor.isActive, b.processor.isActive].filter(Boolean)).toHaveLength(1);
    const [active, standby] = a.processor.isActive ? [a, b] : [b, a];

    await active.stop();
    const second = await h.approvalRequestedFor((await h.proposeForAnomaly(ROLLBACK)).proposalId);
    expect(standby.processor.isActive).toBe(true);
    expect(second.approvalId).not.toBe(first.approvalId);
    expect((await h.events()).filter((e) => e.type === 'ApprovalRequested')).toHaveLength(2);
    await standby.stop();
  });
});
