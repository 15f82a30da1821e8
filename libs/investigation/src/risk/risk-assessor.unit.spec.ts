import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import { RiskAssessor } from '@vigil/domain/approval-saga';
import { RemediationAction } from '@vigil/domain/remediation';
import { buildServiceGraph } from '../dependency/service-graph';
import { assessRisk, contextualRiskAssessor, RiskContext } from './risk-assessor';

const now = '2025-03-01T10:00:00Z';
const rollback: RemediationAction = { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.13.2' } };
const restart: RemediationAction = { kind: 'k8s.rollout-restart', target: 'k8s:shop/deployment/payments', params: {} };
const scale = (replicas: number): RemediationAction => ({ kind: 'k8s.scale', target: 'k8s:shop/deployment/payments', params: { replicas } });
const ticket: RemediationAction = { kind: 'ticket.create', target: 'jira:OPS', params: { summary: 'x' } };
const prod = (over: Partial<RiskContext> = {}): RiskContext => ({ now, environment: 'prod', service: 'payments', ...over });
const names = (factors: readonly { name: string }[]) => factors.map((factor) => factor.name);

describe('assessRisk', () => {
  it('given a rollback with a small blast radius, when assessed, then the tier is the policy tier', () => {
    const result = assessRisk(rollback, DEFAULT_APPROVAL_POLICY, prod({ replicas: 3, trafficShare: 0.05, dependents: ['checkout'] }));
    expect(result.tier).toBe('medium');
    expect(result.factors).toEqual([{ name: 'action-tier', detail: 'argocd.rollback is medium in the approval policy' }]);
    expect(result.blastRadius).toEqual({ service: 'payments', environment: 'prod', replicas: 3, trafficShare: 0.05, dependents: 1, dependentServices: ['checkout'] });
  });

  it('given a large share of traffic in prod, when assessed, then the tier is raised one level with the reason', () => {
    const result = assessRisk(rollback, DEFAULT_APPROVAL_POLICY, prod({ trafficShare: 0.6 }));
    expect(result.tier).toBe('high');
    expect(result.factors).toContainEqual({ name: 'traffic-share', detail: 'payments serves 60% of traffic (raises one tier in prod)' });
    expect(result.factors).toContainEqual({ name: 'raised', detail: 'medium → high' });
  });

  it('given many dependents in the service graph, when assessed in prod, then they are counted from the graph and raise the tier', () => {
    const graph = buildServiceGraph(['a', 'b', 'c', 'd', 'e'].map((caller) => ({ caller, callee: 'payments' })));
    const result = assessRisk(scale(5), DEFAULT_APPROVAL_POLICY, prod({ graph, replicas: 4 }));
    expect(result.tier).toBe('medium');
    expect(result.blastRadius.dependents).toBe(5);
    expect(names(result.factors)).toContain('dependents');
  });

  it('given several blast-radius factors at once, when assessed, then the tier is raised only once for them', () => {
    const result = assessRisk(restart, DEFAULT_APPROVAL_POLICY, prod({ trafficShare: 0.9, replicas: 40, dependents: ['a', 'b', 'c', 'd', 'e', 'f'] }));
    expect(result.tier).toBe('high');
    expect(names(result.factors)).toEqual(['action-tier', 'traffic-share', 'dependents', 'many-replicas', 'raised']);
  });

  it('given a restart of a single replica, when assessed in prod, then the outage raises the tier', () => {
    expect(assessRisk(restart, DEFAULT_APPROVAL_POLICY, prod({ replicas: 1 })).tier).toBe('high');
  });

  it('given a scale down or a large scale up, when assessed in prod, then each raises a low action to medium', () => {
    expect(assessRisk(scale(2), DEFAULT_APPROVAL_POLICY, prod({ replicas: 6 })).tier).toBe('medium');
    expect(assessRisk(scale(18), DEFAULT_APPROVAL_POLICY, prod({ replicas: 6 })).tier).toBe('medium');
    expect(assessRisk(scale(9), DEFAULT_APPROVAL_POLICY, prod({ replicas: 6 })).tier).toBe('low');
  });

  it('given a large blast radius outside production, when assessed, then it is listed but does not raise', () => {
    const result = assessRisk(rollback, DEFAULT_APPROVAL_POLICY, prod({ environment: 'staging', trafficShare: 0.9 }));
    expect(result.tier).toBe('medium');
    expect(result.factors).toContainEqual({ name: 'traffic-share', detail: 'payments serves 90% of traffic (not raised outside production)' });
  });

  it('given an environment raise configured for prod, when assessed, then every prod change is one tier stricter', () => {
    expect(assessRisk(scale(5), DEFAULT_APPROVAL_POLICY, prod({ replicas: 4 }), { environmentRaise: { prod: 1 } }).tier).toBe('medium');
  });

  it('given an active change freeze for the service, when assessed, then the tier is raised and the freeze named', () => {
    const freezeWindows = [{ start: '2025-03-01T08:00:00Z', end: '2025-03-01T12:00:00Z', reason: 'Black Friday freeze', services: ['payments'] }];
    const result = assessRisk(rollback, DEFAULT_APPROVAL_POLICY, prod({ freezeWindows }));
    expect(result.tier).toBe('high');
    expect(result.factors).toContainEqual({ name: 'change-freeze', detail: 'Black Friday freeze for another 2 h' });
  });

  it('given a freeze that is over, for another service or another environment, when assessed, then it does not apply', () => {
    const freezeWindows = [
      { start: '2025-03-01T06:00:00Z', end: '2025-03-01T09:00:00Z' },
      { start: '2025-03-01T08:00:00Z', end: '2025-03-01T12:00:00Z', services: ['search'] },
      { start: '2025-03-01T08:00:00Z', end: '2025-03-01T12:00:00Z', environments: ['staging'] },
    ];
    expect(assessRisk(rollback, DEFAULT_APPROVAL_POLICY, prod({ freezeWindows })).tier).toBe('medium');
  });

  it('given a freeze and a large blast radius on a medium action, when assessed, then the raise stops at high', () => {
    const freezeWindows = [{ start: '2025-03-01T08:00:00Z', end: '2025-03-01T12:00:00Z' }];
    expect(assessRisk(rollback, DEFAULT_APPROVAL_POLICY, prod({ freezeWindows, trafficShare: 0.9 })).tier).toBe('high');
  });

  it('given a ticket during a freeze with a large blast radius, when assessed, then it stays info (it changes nothing)', () => {
    const freezeWindows = [{ start: '2025-03-01T08:00:00Z', end: '2025-03-01T12:00:00Z' }];
    const result = assessRisk(ticket, DEFAULT_APPROVAL_POLICY, prod({ freezeWindows, trafficShare: 0.9 }));
    expect(result.tier).toBe('info');
    expect(names(result.factors)).toContain('info-not-raised');
  });

  it('given the saga\'s RiskAssessor type, when the contextual assessor is plugged in, then it fits and assesses with the context', () => {
    const assess: RiskAssessor = contextualRiskAssessor(() => prod({ trafficShare: 0.5 }));
    expect(assess(rollback, DEFAULT_APPROVAL_POLICY).tier).toBe('high');
  });
});
