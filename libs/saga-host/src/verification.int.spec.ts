import { randomUUID } from 'node:crypto';
import { startSagaHarness, SagaHarness } from './testing/saga-harness';

jest.setTimeout(60_000);

const ROLLBACK = { kind: 'argocd.rollback' as const, target: 'argocd:payments-api', params: { revision: 'v41' } };

describe('saga host: after a successful execution', () => {
  let h: SagaHarness;
  beforeAll(async () => {
    h = await startSagaHarness({ saga: { verifyDelayMs: 500 } });
  });
  afterAll(() => h.teardown());

  /** Approves the proposal and plays the execution worker: started, succeeded with the state before the change. */
  async function approveAndExecute(anomalyId: string, latestActual?: number) {
    const { proposalId } = await h.proposeForAnomaly(ROLLBACK, anomalyId);
    const approval = await h.approvalRequestedFor(proposalId);
    await h.bus.send('approval', approval.approvalId, {
      type: 'CastVote',
      data: { approvalId: approval.approvalId, roles: ['team-lead'], decision: 'approve', proposalVersion: 1, actionHash: approval.actionHash },
      metadata: { now: new Date().toISOString(), actor: 'tl-tom' },
    });
    const requested = await h.eventOf('ExecutionRequested', (data) => data.approvalId === approval.approvalId);
    const executionId = (requested.data as { executionId: string }).executionId;
    if (latestActual !== undefined) {
      const now = new Date().toISOString();
      await h.bus.send('anomaly', anomalyId, {
        type: 'DetectAnomaly',
        data: { anomalyId, service: 'payments-api', operation: 'POST /charge', signal: 'latency_p99', expected: 180, actual: latestActual, score: 0.2, severity: 'error', window: { start: now, end: now } },
        metadata: { now, actor: 'system:detector' },
      });
    }
    await h.bus.send('execution', executionId, { type: 'StartExecution', data: { executionId, leaseOwner: 'worker-1', leaseMs: 30_000 }, metadata: { now: new Date().toISOString(), actor: 'system:worker' } });
    await h.bus.send('execution', executionId, {
      type: 'RecordExecutionSuccess',
      data: { executionId, attempt: 1, leaseOwner: 'worker-1', result: { previousRevision: 'v42' } },
      metadata: { now: new Date().toISOString(), actor: 'system:worker' },
    });
    return executionId;
  }

  it('re-checks the signal after the delay; back within expected, the anomaly is resolved as remediated', async () => {
    const host = h.host();
    await host.start();
    const anomalyId = randomUUID();
    const executionId = await approveAndExecute(anomalyId, 185);
    const verified = await h.eventOf('ExecutionVerified', (data) => data.executionId === executionId);
    expect(verified.data).toMatchObject({ recovered: true, evidence: { anomalyId, actual: 185, expected: 180, status: 'open' } });
    expect(verified.metadata).toMatchObject({ idempotencyKey: `timer:execution-verify:${executionId}` });
    const resolved = await h.eventOf('AnomalyResolved', (data) => data.anomalyId === anomalyId);
    expect(resolved.data).toMatchObject({ how: 'remediated', by: 'system:saga', note: `execution ${executionId} verified` });
    await host.stop();
  });

  it('not recovered: proposes the compensation (rolling forward to the revision that was live before)', async () => {
    const host = h.host();
    await host.start();
    const anomalyId = randomUUID();
    const executionId = await approveAndExecute(anomalyId);
    const verified = await h.eventOf('ExecutionVerified', (data) => data.executionId === executionId);
    expect(verified.data).toMatchObject({ recovered: false, evidence: { actual: 950 } });
    const compensation = await h.eventOf('CompensationProposed', (data) => data.executionId === executionId);
    expect(compensation.data).toMatchObject({ inverse: { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v42' } }, by: 'system:saga' });
    expect((await h.fx.store.readStream(`anomaly-${anomalyId}`)).map((e) => e.type)).toEqual(['AnomalyDetected']);
    await host.stop();
  });
});
