import { ApprovalPolicy, HumanApprovedTier } from './approval-policy';
import { approvalSchedule, tierForAction } from './approval-schedule';
import { DEFAULT_APPROVAL_POLICY } from './default-approval-policy';
import { PolicyProblem, validateApprovalPolicy } from './validate-approval-policy';

const clone = (): { -readonly [K in keyof ApprovalPolicy]: unknown } & Record<string, unknown> =>
  JSON.parse(JSON.stringify(DEFAULT_APPROVAL_POLICY));
const errorsOf = (candidate: unknown): PolicyProblem[] => {
  const result = validateApprovalPolicy(candidate);
  return result.ok ? [] : [...result.errors];
};
const paths = (candidate: unknown) => errorsOf(candidate).map((e) => e.path);

describe('approval policy (configuration, not code)', () => {
  it('the default policy is valid and survives a JSON round trip', () => {
    expect(errorsOf(DEFAULT_APPROVAL_POLICY)).toEqual([]);
    expect(validateApprovalPolicy(clone())).toEqual({ ok: true, policy: DEFAULT_APPROVAL_POLICY });
  });

  it('the default mirrors the risk-tier table: approvers and timeouts per tier', () => {
    const { tiers } = DEFAULT_APPROVAL_POLICY;
    expect(tiers.info).toEqual({ autoApprove: true });
    const summary = (['low', 'medium', 'high', 'critical'] as const).map((tier) => {
      const policy = tiers[tier] as HumanApprovedTier;
      return [tier, policy.approvers, policy.timeout];
    });
    expect(summary).toEqual([
      ['low', [['responder', 'team-lead', 'sre', 'manager', 'vp-eng']], '15m'],
      ['medium', [['team-lead']], '30m'],
      ['high', [['sre'], ['manager']], '1h'],
      ['critical', [['vp-eng']], '2h'],
    ]);
  });

  it('the default maps each action kind to the tier of the table', () => {
    const tierOf = (kind: Parameters<typeof tierForAction>[1]) => tierForAction(DEFAULT_APPROVAL_POLICY, kind);
    expect([tierOf('ticket.create'), tierOf('notify')]).toEqual(['info', 'info']);
    expect(tierOf('k8s.scale')).toBe('low');
    expect([tierOf('argocd.rollback'), tierOf('k8s.rollback'), tierOf('k8s.rollout-restart')]).toEqual(['medium', 'medium', 'medium']);
    expect([tierOf('db.failover'), tierOf('k8s.drain-node'), tierOf('k8s.cordon-node')]).toEqual(['high', 'high', 'high']);
    expect(tierOf('region.failover')).toBe('critical');
  });

  it('names an unknown role in a requirement', () => {
    const policy = clone();
    (policy.tiers as Record<string, { approvers: string[][] }>).high.approvers = [['sre'], ['manger']];
    expect(errorsOf(policy)).toEqual([{ path: 'tiers.high.approvers[1][0]', message: expect.stringContaining("unknown role 'manger'") }]);
  });

  it('names a missing tier and an unknown one', () => {
    const policy = clone();
    const tiers = policy.tiers as Record<string, unknown>;
    delete tiers.critical;
    tiers.urgent = { autoApprove: true };
    expect(paths(policy)).toEqual(['tiers.urgent', 'tiers.critical']);
  });

  it('names a timeout that is not a duration', () => {
    const policy = clone();
    (policy.tiers as Record<string, { timeout: unknown }>).medium.timeout = 'half an hour';
    expect(paths(policy)).toContain('tiers.medium.timeout');
  });

  it('names a first escalation that does not happen at the timeout', () => {
    const policy = clone();
    (policy.tiers as Record<string, { escalation: { after: unknown }[] }>).low.escalation[1].after = 10;
    expect(paths(policy)).toEqual(['tiers.low.escalation[1].after']);
  });

  it('names an escalation target with an unknown channel', () => {
    const policy = clone();
    (policy.tiers as Record<string, { escalation: { notify: { channel: string }[] }[] }>).high.escalation[0].notify[0].channel = 'email';
    expect(paths(policy)).toEqual(['tiers.high.escalation[0].notify[0].channel']);
  });

  it('names an autoApprove tier that also lists approvers', () => {
    const policy = clone();
    (policy.tiers as Record<string, unknown>).info = { autoApprove: true, approvers: [['sre']] };
    expect(paths(policy)).toEqual(['tiers.info.approvers']);
  });

  it('names an action kind without a tier, and a tier that does not exist', () => {
    const policy = clone();
    const actionTiers = policy.actionTiers as Record<string, unknown>;
    delete actionTiers['db.failover'];
    actionTiers['k8s.scale'] = 'urgent';
    expect(paths(policy)).toEqual(['actionTiers.k8s.scale', 'actionTiers.db.failover']);
  });

  it('refuses something that is not a policy at all', () => {
    expect(paths('yes')).toEqual(['']);
    expect(paths({})).toEqual(['roles', 'tiers', 'actionTiers']);
  });

  it('schedules level deadlines from the request: low escalates at 15 and 30 minutes and expires at 45', () => {
    expect(approvalSchedule(DEFAULT_APPROVAL_POLICY.tiers.low as HumanApprovedTier, '2025-03-01T10:00:00Z')).toEqual([
      { level: 0, reachedAt: '2025-03-01T10:00:00.000Z', deadline: '2025-03-01T10:15:00.000Z' },
      { level: 1, reachedAt: '2025-03-01T10:15:00.000Z', deadline: '2025-03-01T10:30:00.000Z' },
      { level: 2, reachedAt: '2025-03-01T10:30:00.000Z', deadline: '2025-03-01T10:45:00.000Z' },
    ]);
  });
});
