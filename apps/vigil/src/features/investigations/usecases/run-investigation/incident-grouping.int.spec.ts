import { randomUUID } from 'node:crypto';
import { InvestigationConcluded } from '@vigil/domain/investigation';
import { InvestigationInput } from '@vigil/investigation';
import { InvestigationEvidence } from '@vigil/investigation-store';
import { waitFor } from '@vigil/testing';
import { startTestVigil, TestVigil } from '../../../../../../../test/support/start-test-vigil';
import { ReadModelIncidentPeers } from './incident-peers';
import { investigatorProposalId, RunInvestigationUseCase } from './run-investigation.usecase';

jest.setTimeout(120_000);

const MINUTE = 60_000;
const ONSET = Math.floor((Date.now() - 20 * MINUTE) / MINUTE) * MINUTE;
const ONSET_NOW = ONSET;
const iso = (ms: number) => new Date(ms).toISOString();
const EDGES = [
  { caller: 'frontend', callee: 'checkout', calls: 100 },
  { caller: 'checkout', callee: 'payments', calls: 80 },
];
const TARGETS = {
  checkout: { argocdApp: 'checkout-api', k8s: { namespace: 'shop', deployment: 'checkout' } },
  payments: { argocdApp: 'payments-api', k8s: { namespace: 'shop', deployment: 'payments' } },
};

/**
 * The evidence the ClickHouse gatherer would return, per anomalous service: the service graph, per-service onsets and
 * (for payments) its deployment. What the span store saw is the gatherer's concern (its own int specs); this spec is
 * about what the investigator does with the incident's other anomalies and proposals.
 */
function evidenceFor(view: 'before-payments-anomaly' | 'after', ONSET = ONSET_NOW): (scope: { service: string; signal: string; window: { start: string } }) => Promise<InvestigationEvidence> {
  return async (scope) => {
    const paymentsAnomalous = view === 'after';
    const input: InvestigationInput = {
      anomaly: { service: scope.service, signal: scope.signal, onset: scope.window.start },
      edges: EDGES,
      serviceAnomalies: [
        { service: 'frontend', score: 12, onset: ONSET, signal: 'error_rate' },
        { service: 'checkout', score: 20, onset: ONSET, signal: 'error_rate' },
        { service: 'payments', score: paymentsAnomalous ? 40 : 0, ...(paymentsAnomalous ? { onset: ONSET - MINUTE } : {}), signal: 'error_rate' },
      ],
      changes: [
        // checkout was deployed too, earlier: before payments' anomaly shows, it is the suspect.
        { service: 'checkout', at: iso(ONSET - 8 * MINUTE), revision: 'c7', previousRevision: 'c6', kind: 'deployment', source: 'argocd' },
        ...(paymentsAnomalous ? [{ service: 'payments', at: iso(ONSET - 2 * MINUTE), revision: 'v2', previousRevision: 'v1', kind: 'deployment', source: 'argocd' }] : []),
      ],
      targets: TARGETS,
    };
    return { input, footprints: new Map() };
  };
}

describe('one proposal per incident (investigator on Postgres, read models, saga)', () => {
  let vigil: TestVigil;
  const streamOf = (streamId: string) => vigil.runtime.store.readStream(streamId);
  const detect = async (service: string, minute: number) => {
    const anomalyId = randomUUID();
    await vigil.runtime.bus.send('anomaly', anomalyId, {
      type: 'DetectAnomaly',
      data: { anomalyId, service, operation: 'POST /pay', signal: 'error_rate', expected: 0, actual: 0.4, score: 30, severity: 'error', window: { start: iso(minute), end: iso(minute + MINUTE) } },
      metadata: { now: new Date().toISOString(), actor: 'system:detector' },
    });
    const opened = await waitFor(
      async () => (await vigil.runtime.pool.query<{ id: string; event_id: string }>(`SELECT data->>'investigationId' AS id, event_id FROM events WHERE type = 'InvestigationOpened' AND data->'anomalyIds' ? $1`, [anomalyId])).rows[0],
      { what: `the investigation of ${service}'s anomaly`, timeoutMs: 30_000 },
    );
    // The incidents read model lists the anomaly: the peers of later investigations see it.
    await waitFor(async () => (await vigil.runtime.pool.query(`SELECT 1 FROM incidents WHERE anomaly_id = $1`, [anomalyId])).rowCount, { what: 'the incident row', timeoutMs: 30_000 });
    return { anomalyId, job: { investigationId: opened.id, openedEventId: opened.event_id } };
  };
  const investigator = (view: Parameters<typeof evidenceFor>[0]) =>
    new RunInvestigationUseCase({ bus: vigil.runtime.bus, evidence: { gather: evidenceFor(view) as never }, peers: new ReadModelIncidentPeers(vigil.runtime.dataSource, vigil.runtime.bus) });
  const approvalStatusOf = async (proposalId: string) =>
    (await vigil.runtime.pool.query<{ status: string }>(`SELECT status FROM approval_queue WHERE proposal_id = $1`, [proposalId])).rows[0]?.status;

  beforeAll(async () => {
    // The saga runs (it opens investigations and requests approvals); the investigator is driven by the spec.
    vigil = await startTestVigil({}, { investigations: false });
  });
  afterAll(async () => {
    await vigil?.stop();
  });

  it('a symptom proposed before its cause was detected is superseded by the cause\'s proposal (its approval cancelled), and a symptom investigated later defers to the cause', async () => {
    // 1. checkout's errors are detected first; payments' own anomaly is not visible yet: checkout leads a group of one.
    const checkout = await detect('checkout', ONSET);
    const first = await investigator('before-payments-anomaly').execute(checkout.job);
    const symptomProposal = investigatorProposalId(checkout.job.investigationId);
    expect(first).toMatchObject({ kind: 'concluded', proposalId: symptomProposal });
    await waitFor(async () => (await approvalStatusOf(symptomProposal)) === 'pending' || undefined, { what: 'the symptom proposal awaiting approval', timeoutMs: 30_000 });

    // 2. payments' anomaly (began a minute earlier, deployed just before) leads: its rollback replaces checkout's.
    const payments = await detect('payments', ONSET - MINUTE);
    const second = await investigator('after').execute(payments.job);
    const rootProposal = investigatorProposalId(payments.job.investigationId);
    expect(second).toEqual({ kind: 'concluded', findings: expect.any(Number), proposalId: rootProposal, superseded: [symptomProposal] });
    const proposed = (await streamOf(`proposal-${rootProposal}`))[0].data as { action: { kind: string; target: string } };
    expect(proposed.action).toMatchObject({ kind: 'argocd.rollback', target: 'argocd:payments-api' });
    expect((await streamOf(`proposal-${symptomProposal}`)).map((event) => event.type)).toContain('ProposalSuperseded');
    await waitFor(async () => (await approvalStatusOf(symptomProposal)) === 'cancelled' || undefined, { what: "the saga cancelling the symptom's approval", timeoutMs: 30_000 });

    // 3. frontend's errors, detected last, belong to the same incident: findings and a conclusion, no third proposal.
    const frontend = await detect('frontend', ONSET);
    const third = await investigator('after').execute(frontend.job);
    expect(third).toEqual({ kind: 'concluded', findings: expect.any(Number), deferredTo: payments.anomalyId });
    expect(await streamOf(`proposal-${investigatorProposalId(frontend.job.investigationId)}`)).toEqual([]);
    const concluded = (await streamOf(`investigation-${frontend.job.investigationId}`)).find((event) => event.type === 'InvestigationConcluded')!.data as InvestigationConcluded['data'];
    expect(concluded.hypotheses.at(-1)).toMatchObject({ confidence: 0, summary: expect.stringContaining(`error_rate anomaly on payments (${payments.anomalyId})`) });
    // The conclusion records the grouping (the incidents read model and the console list the fault as one incident).
    expect(concluded.incident?.leadAnomalyId).toBe(payments.anomalyId);
    expect([...concluded.incident!.anomalyIds].sort()).toEqual([checkout.anomalyId, payments.anomalyId, frontend.anomalyId].sort());

    // Running the lead again (a retried job) neither proposes nor supersedes twice.
    const count = async () => Number((await vigil.runtime.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE stream_id LIKE 'proposal-%'`)).rows[0].n);
    const before = await count();
    await investigator('after').execute(payments.job);
    expect(await count()).toBe(before);
  });

  it('two investigations of one fault running at once propose the same action once: the second defers to the first', async () => {
    // Two anomalies of one service (p95 and p99 latency), each the lead of its own group because the incidents read
    // model has not listed the other yet (the peers below see none), investigated in parallel: the action claim lets
    // one proposal through.
    const [p95, p99] = [await detect('ledger', ONSET), await detect('ledger', ONSET)];
    const peers = new ReadModelIncidentPeers(vigil.runtime.dataSource, vigil.runtime.bus);
    const lagging = Object.assign(Object.create(peers) as ReadModelIncidentPeers, { anomaliesSince: async () => [] });
    const gather = async (scope: { service: string; signal: string; window: { start: string } }): Promise<InvestigationEvidence> => ({
      input: {
        anomaly: { service: scope.service, signal: scope.signal, onset: scope.window.start },
        edges: [{ caller: 'frontend', callee: 'ledger', calls: 50 }],
        serviceAnomalies: [{ service: 'ledger', score: 25, onset: ONSET, signal: 'error_rate' }],
        targets: { ledger: { k8s: { namespace: 'shop', deployment: 'ledger' } } },
      },
      footprints: new Map(),
    });
    const runs = await Promise.all([p95, p99].map((anomaly) => new RunInvestigationUseCase({ bus: vigil.runtime.bus, evidence: { gather: gather as never }, peers: lagging }).execute(anomaly.job)));
    const proposing = runs.filter((run) => run.kind === 'concluded' && run.proposalId !== undefined);
    expect(proposing).toHaveLength(1);
    const deferring = runs.filter((run) => run.kind === 'concluded' && run.proposalId === undefined);
    expect(deferring).toEqual([expect.objectContaining({ kind: 'concluded', sameActionAs: proposing[0].kind === 'concluded' ? proposing[0].proposalId : undefined })]);
  });

  it('a lead whose investigation gives up hands the incident on: the investigations that deferred to it run again and the next anomaly up the path proposes, once', async () => {
    // Another fault, an hour earlier (its own incident), investigated once the first spec's claim on the same rollback
    // has lapsed (the investigator's clock runs two hours ahead).
    const onset = ONSET - 60 * MINUTE;
    const later = () => new Date(Date.now() + 120 * MINUTE).toISOString();
    const run = () =>
      new RunInvestigationUseCase({ bus: vigil.runtime.bus, clock: later, evidence: { gather: evidenceFor('after', onset) as never }, peers: new ReadModelIncidentPeers(vigil.runtime.dataSource, vigil.runtime.bus) });
    const payments = await detect('payments', onset - MINUTE);
    const checkout = await detect('checkout', onset);
    const frontend = await detect('frontend', onset);
    // payments leads and is still open: both symptoms defer to it.
    expect(await run().execute(checkout.job)).toMatchObject({ deferredTo: payments.anomalyId });
    expect(await run().execute(frontend.job)).toMatchObject({ deferredTo: payments.anomalyId });

    // payments' last try fails: it concludes without a proposal and names the two to run again.
    const again = await run().giveUp(payments.job, new Error('ClickHouse is unreachable'));
    expect(again.map((job) => job.investigationId).sort()).toEqual([checkout.job.investigationId, frontend.job.investigationId].sort());
    expect(again).toContainEqual({ investigationId: checkout.job.investigationId, openedEventId: checkout.job.openedEventId, correlationId: expect.any(String) });

    // frontend runs first: checkout now leads (nearest the root that can) and will propose on its run, so frontend defers again.
    const frontendAgain = again.find((job) => job.investigationId === frontend.job.investigationId)!;
    const checkoutAgain = again.find((job) => job.investigationId === checkout.job.investigationId)!;
    expect(await run().execute(frontendAgain)).toEqual({ kind: 'concluded', findings: expect.any(Number), deferredTo: checkout.anomalyId });
    const proposal = investigatorProposalId(checkout.job.investigationId);
    expect(await run().execute(checkoutAgain)).toEqual({ kind: 'concluded', findings: expect.any(Number), proposalId: proposal });
    // The root is still payments (its deployment): the proposal acts on it, not on the symptom.
    const proposed = (await streamOf(`proposal-${proposal}`))[0].data as { action: { kind: string; target: string } };
    expect(proposed.action).toMatchObject({ kind: 'argocd.rollback', target: 'argocd:payments-api' });
    for (const member of [payments, frontend]) expect(await streamOf(`proposal-${investigatorProposalId(member.job.investigationId)}`)).toEqual([]);
    // A lead that gave up is not asked to run again, and its own retry is a no-op.
    expect(await run().giveUp(payments.job, new Error('again'))).toEqual([]);
  });
});
