import { validateAction } from '@vigil/domain/remediation';
import { InvestigationHypothesis } from '../hypotheses/rank-hypotheses';
import { proposeActions, ServiceTarget } from './proposer';

const hypothesis = (over: Partial<InvestigationHypothesis> & Pick<InvestigationHypothesis, 'cause' | 'confidence'>): InvestigationHypothesis => ({
  service: 'payments',
  summary: `${over.cause} on payments`,
  findingIds: ['f-1'],
  support: [],
  ...over,
});

const targets: Record<string, ServiceTarget> = {
  payments: { argocdApp: 'payments-api', k8s: { namespace: 'shop', deployment: 'payments' } },
  cart: { k8s: { namespace: 'shop', deployment: 'cart', cluster: 'eu-1' } },
};

describe('proposeActions', () => {
  it('given a confident bad-deployment hypothesis, when proposed, then it is an ArgoCD rollback to the last healthy revision', () => {
    const { candidates } = proposeActions({
      service: 'checkout',
      targets,
      hypotheses: [hypothesis({ cause: 'bad-deployment', confidence: 0.8, revision: 'v2.14.0', rollbackRevision: 'v2.13.2', findingIds: ['deployment:payments:v2.14.0'] })],
    });
    expect(candidates).toHaveLength(1);
    expect(candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.13.2' } });
    expect(candidates[0].rationale).toBe(
      'Roll payments back to v2.13.2, the revision live before v2.14.0. Hypothesis (confidence 80%): bad-deployment on payments.',
    );
    expect(candidates[0].findingIds).toEqual(['deployment:payments:v2.14.0']);
    expect(validateAction(candidates[0].action)).toEqual([]);
  });

  it('given a bad deployment without a known previous revision, when proposed, then the rollback leaves the revision to ArgoCD history', () => {
    const { candidates } = proposeActions({ service: 'payments', targets, hypotheses: [hypothesis({ cause: 'bad-deployment', confidence: 0.7, revision: 'v9', findingIds: ['deployment:payments:v9'] })] });
    expect(candidates[0].action.params).toEqual({});
  });

  it('given a bad deployment of a service without ArgoCD, when proposed, then it is a Kubernetes rollback', () => {
    const { candidates } = proposeActions({ service: 'cart', targets, hypotheses: [hypothesis({ cause: 'bad-deployment', service: 'cart', confidence: 0.7, findingIds: ['deployment:cart:c7'] })] });
    expect(candidates[0].action).toEqual({ kind: 'k8s.rollback', target: 'k8s:eu-1/shop/deployment/cart', params: {} });
  });

  it('given a crash loop and a leak, when proposed, then each gets a rollout restart and the duplicate is skipped', () => {
    const { candidates, skipped } = proposeActions({
      service: 'cart',
      targets,
      hypotheses: [hypothesis({ cause: 'crash-loop', service: 'cart', confidence: 0.9 }), hypothesis({ cause: 'resource-leak', service: 'cart', confidence: 0.7 })],
    });
    expect(candidates.map((candidate) => candidate.action)).toEqual([{ kind: 'k8s.rollout-restart', target: 'k8s:eu-1/shop/deployment/cart', params: {} }]);
    expect(skipped).toEqual([{ hypothesisIndex: 1, reason: 'k8s.rollout-restart k8s:eu-1/shop/deployment/cart is already proposed for a stronger hypothesis' }]);
  });

  it('given saturation with 4 replicas (max 5), when proposed, then it scales up by half, capped at the maximum', () => {
    const { candidates } = proposeActions({
      service: 'payments',
      targets,
      facts: [{ service: 'payments', replicas: 4, maxReplicas: 5 }],
      hypotheses: [hypothesis({ cause: 'saturation', confidence: 0.75 })],
    });
    expect(candidates[0].action).toEqual({ kind: 'k8s.scale', target: 'k8s:shop/deployment/payments', params: { replicas: 5 } });
    expect(validateAction(candidates[0].action)).toEqual([]);
  });

  it('given saturation without a replica count, when proposed, then nothing is scaled, the reason is given and a ticket hands it over', () => {
    const { candidates, skipped } = proposeActions({ service: 'payments', targets, hypotheses: [hypothesis({ cause: 'saturation', confidence: 0.75 })] });
    expect(candidates.map((candidate) => candidate.action.kind)).toEqual(['ticket.create']);
    expect(skipped[0].reason).toBe('the current replica count of payments is not known');
  });

  it('given only low-confidence hypotheses, when proposed, then the one candidate is a ticket listing them', () => {
    const { candidates } = proposeActions({
      service: 'checkout',
      targets,
      anomalySummary: 'checkout latency_p99 at 2.3 s (expected 0.4 s)',
      hypotheses: [hypothesis({ cause: 'bad-deployment', confidence: 0.3, findingIds: ['a'] }), hypothesis({ cause: 'segment', confidence: 0.2, findingIds: ['b'] })],
    });
    expect(candidates).toHaveLength(1);
    expect(candidates[0].action.kind).toBe('ticket.create');
    expect(candidates[0].action.target).toBe('jira:OPS');
    expect(candidates[0].action.params.description).toContain('1. bad-deployment on payments (confidence 30%)');
    expect(candidates[0].findingIds).toEqual(['a', 'b']);
    expect(validateAction(candidates[0].action)).toEqual([]);
  });

  it('given no hypotheses at all, when proposed, then a ticket says the investigation found nothing', () => {
    const { candidates } = proposeActions({ service: 'checkout', targets, hypotheses: [] });
    expect(candidates[0].action.params.description).toContain('The investigation found no hypothesis.');
    expect(candidates[0].hypothesisIndex).toBe(-1);
  });

  it('given a confident hypothesis with no safe action (a slow third party), when proposed, then a ticket names its service and the skip says why', () => {
    const { candidates, skipped } = proposeActions({
      service: 'checkout',
      targets,
      hypotheses: [hypothesis({ cause: 'failing-service', service: 'payment-provider', summary: 'payment-provider is failing', confidence: 0.9, findingIds: ['dependency:payment-provider'] })],
    });
    expect(skipped[0].reason).toBe('no safe automatic action for a failing-service hypothesis');
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ hypothesisIndex: 0, confidence: 0.9, findingIds: ['dependency:payment-provider'] });
    expect(candidates[0].action).toMatchObject({ kind: 'ticket.create', target: 'jira:OPS', params: { service: 'payment-provider', summary: 'Investigate payment-provider (anomaly on checkout)' } });
    expect(candidates[0].action.params.description).toContain('No automatic action fits these hypotheses');
    expect(validateAction(candidates[0].action)).toEqual([]);
  });

  it('given a confident bad-deployment hypothesis that no change event supports (a version attribute only), when proposed, then nothing is rolled back and a ticket is raised', () => {
    const { candidates, skipped } = proposeActions({
      service: 'inventory',
      targets: { inventory: { argocdApp: 'inventory', k8s: { namespace: 'shop', deployment: 'inventory' } } },
      hypotheses: [hypothesis({ cause: 'bad-deployment', service: 'inventory', revision: 'v1.12.3', confidence: 0.8, findingIds: ['bubbleup:inventory:app.version=v1.12.3'] })],
    });
    expect(skipped).toEqual([{ hypothesisIndex: 0, reason: 'no change event of inventory correlates with the anomaly (v1.12.3 is only over-represented): nothing to roll back' }]);
    expect(candidates.map((candidate) => candidate.action.kind)).toEqual(['ticket.create']);
  });

  it('given a propagated symptom ranked above its root, when proposed, then nothing targets the symptom and the root gets the action', () => {
    const { candidates, skipped } = proposeActions({
      service: 'checkout',
      targets: { ...targets, checkout: { argocdApp: 'checkout', k8s: { namespace: 'shop', deployment: 'checkout' } } },
      hypotheses: [
        hypothesis({ cause: 'crash-loop', service: 'checkout', confidence: 0.9, propagatedFrom: 'payments' }),
        hypothesis({ cause: 'bad-deployment', service: 'payments', confidence: 0.8, revision: 'v2', rollbackRevision: 'v1', findingIds: ['deployment:payments:v2'] }),
      ],
    });
    expect(skipped).toEqual([{ hypothesisIndex: 0, reason: 'checkout is a symptom: its anomaly propagates from payments' }]);
    expect(candidates.map((candidate) => candidate.action)).toEqual([{ kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v1' } }]);
  });

  it('given a confident hypothesis on a service with no known target, when proposed, then it is skipped with the reason', () => {
    const { skipped } = proposeActions({ service: 'x', targets, hypotheses: [hypothesis({ cause: 'crash-loop', service: 'unknown', confidence: 0.9 })] });
    expect(skipped[0].reason).toBe('no Deployment is known for unknown');
  });
});
