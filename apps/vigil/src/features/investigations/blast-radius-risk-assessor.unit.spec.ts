import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import { RemediationAction } from '@vigil/domain/remediation';
import { blastRadiusRiskAssessor, parseFreezeWindows } from './blast-radius-risk-assessor';

const rollback: RemediationAction = { kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 'v1' } };
const NOW = '2025-03-01T10:00:00.000Z';

describe('blast-radius risk assessor (the saga\'s RiskAssessor composed with assessRisk)', () => {
  it('keeps the policy tier when the proposal carries no risk context', () => {
    expect(blastRadiusRiskAssessor()(rollback, DEFAULT_APPROVAL_POLICY, { now: NOW })).toMatchObject({ tier: 'medium', blastRadius: {} });
  });

  it('raises a rollback of a service with a third of the traffic in prod one tier, and reports the blast radius', () => {
    const result = blastRadiusRiskAssessor()(rollback, DEFAULT_APPROVAL_POLICY, {
      now: NOW,
      riskContext: { environment: 'prod', service: 'payments', replicas: 3, trafficShare: 0.4, dependents: ['checkout', 'frontend'] },
    });
    expect(result.tier).toBe('high');
    expect(result.factors.map((factor) => factor.name)).toContain('traffic-share');
    expect(result.blastRadius).toEqual({ service: 'payments', environment: 'prod', replicas: 3, trafficShare: 0.4, dependents: 2, dependentServices: ['checkout', 'frontend'] });
  });

  it('raises one tier during a configured change freeze at the event\'s instant, and not outside it', () => {
    const assess = blastRadiusRiskAssessor(parseFreezeWindows('[{"start":"2025-03-01T08:00:00Z","end":"2025-03-01T12:00:00Z","reason":"quarter close","environments":["staging"]}]'));
    expect(assess(rollback, DEFAULT_APPROVAL_POLICY, { now: NOW, riskContext: { environment: 'staging' } }).tier).toBe('high');
    expect(assess(rollback, DEFAULT_APPROVAL_POLICY, { now: '2025-03-01T13:00:00Z', riskContext: { environment: 'staging' } }).tier).toBe('medium');
  });

  it('reads no freeze from an unset setting and refuses a window without instants', () => {
    expect(parseFreezeWindows(undefined)).toEqual([]);
    expect(() => parseFreezeWindows('[{"start":"soon","end":"2025-03-01T12:00:00Z"}]')).toThrow('freeze window 0: start must be an ISO-8601 instant');
  });
});
