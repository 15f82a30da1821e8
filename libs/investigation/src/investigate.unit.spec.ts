import { InvestigationCommand, investigationDecider, InvestigationEvent } from '@vigil/domain/investigation';
import { CommandMetadata } from '@vigil/domain/shared';
import { recordFindingData } from './findings/findings';
import { investigate, InvestigationInput, isTrafficSignal, populationOf } from './investigate';

const meta: CommandMetadata = { actor: 'ai:investigator', now: '2025-03-01T10:06:00.000Z' };

/** Runs commands through the real Investigation decider: what the saga host will do with the outcome. */
function run(commands: InvestigationCommand[]): InvestigationEvent[] {
  let state = investigationDecider.initialState();
  const events: InvestigationEvent[] = [];
  for (const command of commands) {
    for (const event of investigationDecider.decide(command, state)) {
      state = investigationDecider.evolve(state, event);
      events.push(event);
    }
  }
  return events;
}

const scenario: InvestigationInput = {
  anomaly: { service: 'checkout', signal: 'latency_p99', onset: '2025-03-01T10:00:00Z', summary: 'checkout p99 2.3 s (expected 0.4 s)' },
  edges: [
    { caller: 'frontend', callee: 'checkout', calls: 1000 },
    { caller: 'checkout', callee: 'payments', calls: 900 },
    { caller: 'checkout', callee: 'cart', calls: 900 },
  ],
  serviceAnomalies: [
    { service: 'checkout', score: 15, onset: '2025-03-01T10:00:00Z' },
    { service: 'payments', score: 40, onset: '2025-03-01T09:59:30Z', signal: 'latency_p99' },
  ],
  changes: [
    { service: 'payments', at: '2025-03-01T08:00:00Z', revision: 'v2.13.2', kind: 'deployment' },
    { service: 'payments', at: '2025-03-01T09:56:00Z', revision: 'v2.14.0', kind: 'deployment', source: 'argocd' },
    { service: 'search', at: '2025-03-01T09:58:00Z', revision: 's9', kind: 'deployment' },
  ],
  bubbleUp: {
    anomalousTotal: 200,
    baselineTotal: 4000,
    rows: [
      { attribute: 'payment_provider', value: 'stripe_v3', anomalousCount: 174, baselineCount: 120 },
      { attribute: 'region', value: 'eu', anomalousCount: 100, baselineCount: 2000 },
    ],
  },
  logs: {
    rows: Array.from({ length: 12 }, (_, i) => ({ body: `charge ${i} failed: upstream timeout after 3000ms`, severityText: 'ERROR', service: 'checkout' })),
  },
  targets: { payments: { argocdApp: 'payments-api', k8s: { namespace: 'shop', deployment: 'payments' } } },
};

describe('investigate', () => {
  it('given a deploy to a dependency right before its anomaly, when investigated, then the top hypothesis is that deploy and the proposal rolls it back', () => {
    const outcome = investigate(scenario);
    expect(outcome.findings.map((finding) => finding.findingId)).toEqual([
      'dependency:payments',
      'deployment:payments:v2.14.0',
      'deployment:payments:v2.13.2',
      'bubbleup:checkout:payment_provider=stripe_v3',
      'logs:checkout:message:charge <n> failed: upstream timeout after <n>ms',
    ]);
    expect(outcome.hypotheses[0]).toMatchObject({ cause: 'bad-deployment', service: 'payments', revision: 'v2.14.0', rollbackRevision: 'v2.13.2' });
    expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.13.2' } });
    expect(outcome.conclusion[0].suggestedAction).toEqual(outcome.proposal.candidates[0].action);
    expect(outcome.findings.find((finding) => finding.kind === 'bubbleup')?.summary).toBe('87% of slow requests have payment_provider=stripe_v3 vs 3% in baseline');
  });

  it('given the outcome, when recorded and concluded through the Investigation decider, then the domain accepts it', () => {
    const outcome = investigate(scenario);
    const events = run([
      { type: 'OpenInvestigation', data: { investigationId: 'inv-1', anomalyIds: ['anom-1'] }, metadata: meta },
      ...outcome.findings.map((finding): InvestigationCommand => ({ type: 'RecordFinding', data: recordFindingData('inv-1', finding), metadata: meta })),
      { type: 'ConcludeInvestigation', data: { investigationId: 'inv-1', hypotheses: outcome.conclusion }, metadata: meta },
    ]);
    const concluded = events.find((event) => event.type === 'InvestigationConcluded');
    expect(concluded?.type === 'InvestigationConcluded' && concluded.data.hypotheses[0].summary).toBe('The deployment of v2.14.0 to payments caused the anomaly');
  });

  it('given nothing but the anomaly, when investigated, then the conclusion says no cause was found and suggests a ticket', () => {
    const outcome = investigate({ anomaly: { service: 'checkout', signal: 'error_rate', onset: '2025-03-01T10:00:00Z' } });
    expect(outcome.findings).toEqual([]);
    expect(outcome.conclusion).toEqual([
      { summary: 'No cause found for the error_rate anomaly on checkout', confidence: 0, suggestedAction: outcome.proposal.candidates[0].action },
    ]);
    expect(outcome.proposal.candidates[0].action.kind).toBe('ticket.create');
  });

  it('given signal names, when the BubbleUp population is named, then latency reads as slow and errors as failed requests', () => {
    expect(populationOf('latency_p99')).toBe('slow requests');
    expect(populationOf('error_rate')).toBe('failed requests');
    expect(populationOf('saturation')).toBe('saturation anomalous events');
  });

  describe('fault shapes of the shop scenarios', () => {
    const onset = '2025-03-01T10:00:00Z';
    const shopEdges = [
      { caller: 'frontend', callee: 'checkout', calls: 900 },
      { caller: 'frontend', callee: 'inventory', calls: 400 },
      { caller: 'checkout', callee: 'payment', calls: 300 },
      { caller: 'checkout', callee: 'inventory', calls: 600 },
      { caller: 'payment', callee: 'payment-provider', calls: 300 },
      { caller: 'inventory', callee: 'postgres', calls: 1000 },
    ];
    const target = (service: string) => ({ argocdApp: service, k8s: { namespace: 'shop', deployment: service } });
    const shopTargets = Object.fromEntries(['frontend', 'checkout', 'payment', 'payment-provider', 'inventory', 'postgres'].map((service) => [service, target(service)]));

    it('given a propagated symptom (checkout failing because payment, deployed just before, fails first), when investigated, then the top hypothesis names payment and the rollback targets payment, never checkout', () => {
      const outcome = investigate({
        anomaly: { service: 'checkout', signal: 'error_rate', onset },
        edges: shopEdges,
        serviceAnomalies: [
          { service: 'checkout', score: 30, onset, signal: 'error_rate' },
          { service: 'payment', score: 25, onset, signal: 'error_rate' },
        ],
        changes: [{ service: 'payment', at: onset, revision: 'v1.9.0', previousRevision: 'v1.8.3', kind: 'deployment', source: 'argocd' }],
        // checkout's own version is over-represented among its errors (server spans vs a baseline with client spans).
        bubbleUp: { anomalousTotal: 100, baselineTotal: 3000, rows: [{ attribute: 'app.version', value: 'v2.7.0', anomalousCount: 100, baselineCount: 1000 }] },
        logs: { rows: Array.from({ length: 20 }, () => ({ body: 'checkout failed to handle the request', severityText: 'ERROR', service: 'checkout', exceptionType: 'InternalServerError' })) },
        targets: shopTargets,
      });
      expect(outcome.hypotheses[0]).toMatchObject({ cause: 'bad-deployment', service: 'payment', revision: 'v1.9.0' });
      expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payment', params: { revision: 'v1.8.3' } });
      expect(outcome.proposal.candidates.some((candidate) => candidate.action.target.includes('checkout'))).toBe(false);
      expect(outcome.hypotheses.filter((hypothesis) => hypothesis.service === 'checkout').every((hypothesis) => hypothesis.propagatedFrom === 'payment')).toBe(true);
      expect(outcome.conclusion[0].suggestedAction).toEqual(outcome.proposal.candidates[0].action);
    });

    it('given an SLO availability burn on payment (its window the alert\'s hour) and a deploy of payment 2 min before its first failing minute, when investigated, then the deploy is correlated against that minute and rolled back', () => {
      const firstFailingMinute = Date.parse(onset);
      const outcome = investigate({
        anomaly: { service: 'payment', signal: 'slo:availability-99.9', onset: '2025-03-01T09:05:00Z', end: '2025-03-01T10:05:00Z' },
        edges: shopEdges,
        serviceAnomalies: [{ service: 'payment', score: 40, onset: firstFailingMinute, signal: 'error_rate' }],
        changes: [{ service: 'payment', at: '2025-03-01T09:58:00Z', revision: 'v1.9.0', previousRevision: 'v1.8.3', kind: 'deployment', source: 'argocd' }],
        targets: shopTargets,
      });
      expect(outcome.findings.find((finding) => finding.kind === 'deployment')).toMatchObject({ findingId: 'deployment:payment:v1.9.0', evidence: { leadMs: 2 * 60_000 } });
      expect(outcome.hypotheses[0]).toMatchObject({ cause: 'bad-deployment', service: 'payment', revision: 'v1.9.0' });
      expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payment', params: { revision: 'v1.8.3' } });
      expect(outcome.onset).toEqual({ kind: 'metric', at: firstFailingMinute, windowStart: Date.parse('2025-03-01T09:05:00Z'), signal: 'error_rate' });
    });

    it('given a slow third party every caller feels (confident, no automatic action), when investigated, then the proposal is a ticket about it', () => {
      const outcome = investigate({
        anomaly: { service: 'payment', signal: 'latency_p99', onset },
        edges: shopEdges,
        serviceAnomalies: [
          { service: 'payment', score: 40, onset, signal: 'latency_p99' },
          { service: 'payment-provider', score: 60, onset, signal: 'latency_p99' },
        ],
        changes: [],
        targets: shopTargets,
      });
      expect(outcome.hypotheses[0]).toMatchObject({ cause: 'failing-service', service: 'payment-provider' });
      expect(outcome.hypotheses[0].confidence).toBeGreaterThanOrEqual(0.5);
      expect(outcome.proposal.candidates.map((candidate) => candidate.action.kind)).toEqual(['ticket.create']);
      expect(outcome.proposal.candidates[0].action.params.service).toBe('payment-provider');
      expect(outcome.conclusion[0].suggestedAction?.kind).toBe('ticket.create');
    });

    it('given an error burst with no change event (the version is over-represented only), when investigated, then nothing is rolled back and a ticket is proposed', () => {
      const outcome = investigate({
        anomaly: { service: 'inventory', signal: 'error_rate', onset },
        edges: shopEdges,
        serviceAnomalies: [{ service: 'inventory', score: 50, onset, signal: 'error_rate' }],
        changes: [],
        bubbleUp: {
          anomalousTotal: 300,
          baselineTotal: 6000,
          rows: [
            { attribute: 'app.version', value: 'v1.12.3', anomalousCount: 300, baselineCount: 3000 },
            { attribute: 'error.type', value: '500', anomalousCount: 300, baselineCount: 1 },
          ],
        },
        logs: { rows: Array.from({ length: 50 }, () => ({ body: 'ledger out of balance', severityText: 'ERROR', service: 'inventory', exceptionType: 'com.shop.inventory.ledger.StockLedgerException' })) },
        targets: shopTargets,
      });
      expect(outcome.hypotheses[0].service).toBe('inventory');
      expect(outcome.proposal.candidates.map((candidate) => candidate.action.kind)).toEqual(['ticket.create']);
      expect(outcome.proposal.skipped.some((skip) => skip.reason.startsWith('no change event of inventory correlates'))).toBe(true);
    });

    it('given a caller incident during a memory leak (OOM kills of inventory, a noisy postgres below it), when investigated, then it names inventory and restarts it', () => {
      const outcome = investigate({
        anomaly: { service: 'checkout', signal: 'latency_p99', onset },
        edges: shopEdges,
        serviceAnomalies: [
          { service: 'checkout', score: 20, onset, signal: 'latency_p99' },
          { service: 'inventory', score: 35, onset, signal: 'latency_p99' },
          { service: 'postgres', score: 6, onset, signal: 'latency_p99' },
        ],
        changes: [],
        facts: [{ service: 'checkout', replicas: 3 }, { service: 'inventory', replicas: 2, oomKills: 2 }, { service: 'postgres', replicas: 1 }],
        targets: shopTargets,
      });
      expect(outcome.hypotheses[0]).toMatchObject({ cause: 'resource-leak', service: 'inventory' });
      expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'k8s.rollout-restart', target: 'k8s:shop/deployment/inventory', params: {} });
      expect(outcome.conclusion[0].suggestedAction).toEqual(outcome.proposal.candidates[0].action);
    });

    it('given a traffic rise seen on a database (its throughput), when investigated, then the walk finds where the load hurts (checkout, from its own logs) and scales it', () => {
      const outcome = investigate({
        anomaly: { service: 'postgres', signal: 'throughput', onset },
        edges: shopEdges,
        serviceAnomalies: [
          { service: 'frontend', score: 15, onset, signal: 'latency_p99' },
          { service: 'checkout', score: 30, onset, signal: 'latency_p99' },
          { service: 'postgres', score: 0 },
        ],
        changes: [],
        logs: {
          rows: Array.from({ length: 30 }, () => ({ body: 'WorkerPoolExhausted: worker pool exhausted: 256 busy, queue full (1024)', severityText: 'ERROR', service: 'checkout', exceptionType: 'WorkerPoolExhausted' })),
        },
        facts: [{ service: 'checkout', replicas: 3 }, { service: 'postgres', replicas: 1 }],
        targets: shopTargets,
      });
      expect(isTrafficSignal('throughput')).toBe(true);
      expect(isTrafficSignal('error_rate')).toBe(false);
      expect(outcome.findings.map((finding) => finding.findingId)).toEqual(expect.arrayContaining(['dependency:checkout']));
      expect(outcome.findings.some((finding) => finding.findingId.startsWith('logs:checkout:'))).toBe(true);
      expect(outcome.hypotheses[0]).toMatchObject({ cause: 'saturation', service: 'checkout' });
      expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'k8s.scale', target: 'k8s:shop/deployment/checkout', params: { replicas: 5 } });
    });

    it('given a traffic rise no service suffers from (no errors, no latency anywhere), when investigated, then nothing is proposed, not even a ticket', () => {
      const outcome = investigate({
        anomaly: { service: 'frontend', signal: 'throughput', onset },
        edges: shopEdges,
        serviceAnomalies: [{ service: 'frontend', score: 0 }, { service: 'checkout', score: 1 }],
        changes: [],
        bubbleUp: { anomalousTotal: 100, baselineTotal: 1000, rows: [{ attribute: 'user_agent.name', value: 'okhttp', anomalousCount: 40, baselineCount: 60 }] },
        targets: shopTargets,
      });
      expect(outcome.proposal.candidates).toEqual([]);
      expect(outcome.conclusion.every((hypothesis) => hypothesis.suggestedAction === undefined)).toBe(true);
      expect(investigate({ anomaly: { service: 'frontend', signal: 'throughput', onset }, edges: shopEdges, serviceAnomalies: [] }).conclusion).toEqual([
        { summary: "The throughput of frontend changed but no service's errors or latency moved: nothing to act on", confidence: 0 },
      ]);
    });

    it('given a symptom detected before the root deployment landed (its window starts early), when investigated, then the root\'s change is correlated with the root\'s own onset and rolled back', () => {
      const outcome = investigate({
        anomaly: { service: 'checkout', signal: 'throughput', onset: '2025-03-01T09:57:00Z' },
        edges: shopEdges,
        serviceAnomalies: [
          { service: 'checkout', score: 30, onset, signal: 'error_rate' },
          { service: 'payment', score: 40, onset, signal: 'error_rate' },
        ],
        changes: [{ service: 'payment', at: onset, revision: 'v1.9.0', previousRevision: 'v1.8.3', kind: 'deployment', source: 'argocd' }],
        targets: shopTargets,
      });
      expect(outcome.findings.map((finding) => finding.findingId)).toEqual(expect.arrayContaining(['dependency:payment', 'deployment:payment:v1.9.0']));
      expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payment', params: { revision: 'v1.8.3' } });
    });
  });
});
