import { ArgoCdContractServer } from '@vigil/integrations/argocd';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const rollback = { kind: 'argocd.rollback', target: 'argocd:payments', params: {} };

describe('medium-tier approval flow through the API (issue 3 "done when")', () => {
  let argo: ArgoCdContractServer;
  let vigil: TestVigil;

  beforeAll(async () => {
    argo = await ArgoCdContractServer.start();
    argo.addApplication({ name: 'payments', revisions: ['a1b2c3', 'd4e5f6'] });
    vigil = await startTestVigil({ ARGOCD_URL: argo.url, ARGOCD_TOKEN: argo.token });
  });
  afterAll(async () => {
    await vigil?.stop();
    await argo?.close();
  });

  it('proposes, refuses the proposer and a wrong role, grants for a team lead, and rolls back exactly once', async () => {
    const anomaly = await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.3, score: 12, severity: 'critical' },
    });
    expect(anomaly.status).toBe(201);

    const proposal = await vigil.request('POST', '/api/proposals', {
      token: vigil.tokens.alice,
      body: { anomalyId: anomaly.body.id, action: rollback, rationale: 'error rate jumped right after deploying d4e5f6' },
    });
    expect(proposal.status).toBe(201);
    expect(proposal.body).toMatchObject({ version: 1, tier: 'medium', status: 'awaiting-approval' });
    const approvalId: string = proposal.body.approvalId;

    const pending = await eventually('the approval in the queue', async () => {
      const list = await vigil.request('GET', '/api/approvals?status=pending', { token: vigil.tokens.lee });
      return list.body.items.find((item: { id: string }) => item.id === approvalId);
    });
    expect(pending).toMatchObject({ tier: 'medium', requiredRoles: [['team-lead']], action: rollback, proposer: 'alice', escalationLevel: 0 });
    expect(pending.actionHash).toEqual(expect.any(String));
    expect(Date.parse(pending.deadline) - Date.now()).toBeGreaterThan(25 * 60_000);

    const byProposer = await vigil.request('POST', `/api/approvals/${approvalId}/votes`, { token: vigil.tokens.alice, body: { decision: 'approve' } });
    expect(byProposer.status).toBe(403);
    expect(byProposer.body.code).toBe('APPROVAL.SELF_APPROVAL');

    const bySre = await vigil.request('POST', `/api/approvals/${approvalId}/votes`, { token: vigil.tokens.sara, body: { decision: 'approve' } });
    expect(bySre.status).toBe(403);
    expect(bySre.body.code).toBe('APPROVAL.ROLE_REQUIRED');

    const stale = await vigil.request('POST', `/api/approvals/${approvalId}/votes`, { token: vigil.tokens.lee, body: { decision: 'approve', proposalVersion: 7 } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('APPROVAL.STALE_VERSION');

    const granted = await vigil.request('POST', `/api/approvals/${approvalId}/votes`, { token: vigil.tokens.lee, body: { decision: 'approve', proposalVersion: 1, actionHash: pending.actionHash } });
    expect(granted.status).toBe(201);
    expect(granted.body.status).toBe('granted');

    const stream = await vigil.request('GET', `/api/streams/approval-${approvalId}`, { token: vigil.tokens.audrey });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toEqual(['ApprovalRequested', 'VoteRefused', 'VoteRefused', 'VoteRefused', 'VoteCast', 'ApprovalGranted']);

    const execution = await eventually('a succeeded execution', async () => {
      const list = await vigil.request('GET', `/api/executions?proposalId=${proposal.body.id}`, { token: vigil.tokens.lee });
      return list.body.items?.find((item: { status: string }) => item.status === 'succeeded' || item.status === 'verified');
    }, 30_000);
    expect(execution.action).toEqual(rollback);
    expect(argo.rollbackRequests('payments')).toHaveLength(1);
    expect(argo.application('payments').status?.sync?.revision).toBe('a1b2c3');

    const incident = await eventually('the execution on the incident timeline', async () => {
      const timeline = await vigil.request('GET', `/api/incidents/${anomaly.body.id}`, { token: vigil.tokens.audrey });
      return timeline.body.entries?.some((entry: { kind: string }) => entry.kind === 'execution') ? timeline.body : undefined;
    });
    const kinds = incident.entries.map((entry: { kind: string }) => entry.kind);
    expect(kinds.indexOf('anomaly')).toBeLessThan(kinds.indexOf('proposal'));
    expect(kinds.indexOf('approval')).toBeLessThan(kinds.indexOf('execution'));
  });

  it('approving with modified parameters cancels the approval and asks again for the new version', async () => {
    const scale = { kind: 'k8s.scale', target: 'k8s:prod/payments-api', params: { replicas: 6 } };
    const proposal = await vigil.request('POST', '/api/proposals', { token: vigil.tokens.alice, body: { action: scale, rationale: 'saturation' } });
    expect(proposal.body).toMatchObject({ tier: 'low', status: 'awaiting-approval' });
    const modified = await vigil.request('POST', `/api/approvals/${proposal.body.approvalId}/votes`, {
      token: vigil.tokens.lee,
      body: { decision: 'approve', modifications: { replicas: 4 } },
    });
    expect(modified.status).toBe(201);
    expect(modified.body.status).toBe('cancelled');

    const next = await eventually('an approval for version 2', async () => {
      const list = await vigil.request('GET', '/api/approvals?status=pending', { token: vigil.tokens.lee });
      return list.body.items.find((item: { proposalId: string; proposalVersion: number }) => item.proposalId === proposal.body.id && item.proposalVersion === 2);
    });
    expect(next.action).toEqual({ ...scale, params: { replicas: 4 } });
    expect(next.votes).toEqual([]);
    expect(next.actionHash).not.toBe((await vigil.request('GET', `/api/approvals/${proposal.body.approvalId}`, { token: vigil.tokens.lee })).body.actionHash);

    const late = await vigil.request('POST', `/api/approvals/${proposal.body.approvalId}/votes`, { token: vigil.tokens.sara, body: { decision: 'approve' } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('APPROVAL.CLOSED');
  });

  it('fails an approved action clearly when its platform is not configured', async () => {
    const other = await startTestVigil({});
    try {
      const proposal = await other.request('POST', '/api/proposals', { token: other.tokens.alice, body: { action: rollback, rationale: 'test' } });
      const vote = await other.request('POST', `/api/approvals/${proposal.body.approvalId}/votes`, { token: other.tokens.lee, body: { decision: 'approve' } });
      expect(vote.status).toBe(201);
      const failed = await eventually('a failed execution', async () => {
        const list = await other.request('GET', `/api/executions?proposalId=${proposal.body.id}`, { token: other.tokens.lee });
        return list.body.items?.find((item: { status: string }) => item.status === 'failed');
      });
      expect(failed.error).toMatch(/EXECUTION.NOT_CONFIGURED: ArgoCD is not configured: set ARGOCD_URL and ARGOCD_TOKEN/);
    } finally {
      await other.stop();
    }
  });
});
