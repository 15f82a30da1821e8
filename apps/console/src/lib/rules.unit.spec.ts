import { describe, expect, it } from '@jest/globals';
import { assignApprovers } from '@vigil/domain/approval';
import { refusalText, requirementProgress, votePermissions } from './rules';
import { Approval, Me, Vote } from './types';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const approval = (over: Partial<Approval> = {}): Approval => ({
  id: 'a1',
  proposalId: 'p1',
  proposalVersion: 1,
  tier: 'medium',
  requiredRoles: [['team-lead']],
  votes: [],
  deadline: '2026-01-01T12:30:00Z',
  escalationLevel: 0,
  actionHash: 'f'.repeat(64),
  action: { kind: 'argocd.rollback', target: 'argocd:payments', params: {} },
  status: 'pending',
  proposer: 'alice',
  ...over,
});
const me = (id: string, ...roles: string[]): Me => ({ id, roles, rolesKnown: true });
const vote = (by: string, roles: string[], decision: 'approve' | 'reject' = 'approve'): Vote => ({ by, roles, decision, at: '2026-01-01T12:01:00Z' });

describe('votePermissions', () => {
  it('lets a team lead approve, reject and modify a medium-tier approval', () => {
    const can = votePermissions(me('lee', 'team-lead'), approval(), NOW);
    expect([can.approve.allowed, can.reject.allowed, can.modify.allowed]).toEqual([true, true, true]);
  });

  it('refuses the proposer approval first, as the server does, even when a role is also missing', () => {
    const can = votePermissions(me('alice', 'responder'), approval(), NOW);
    expect(can.approve).toEqual({ allowed: false, reason: expect.stringMatching(/proposer never approves/) });
    expect(can.modify.allowed).toBe(false);
    expect(can.reject).toEqual({ allowed: false, reason: expect.stringMatching(/needs team-lead; you hold responder/) });
  });

  it('lets a proposer who holds the role reject their own proposal but not approve it', () => {
    const can = votePermissions(me('lee', 'team-lead'), approval({ proposer: 'lee' }), NOW);
    expect(can.approve.allowed).toBe(false);
    expect(can.reject.allowed).toBe(true);
  });

  it('says why: auditors change nothing, one person counts once, closed and late approvals take no votes', () => {
    expect(votePermissions(me('audrey', 'auditor'), approval(), NOW).approve.reason).toMatch(/auditors can read everything but change nothing/);
    expect(votePermissions(me('lee', 'team-lead'), approval({ votes: [vote('lee', ['team-lead'], 'reject')] }), NOW).reject.reason).toMatch(/already voted \(reject\)/);
    expect(votePermissions(me('lee', 'team-lead'), approval({ status: 'granted' }), NOW).approve.reason).toMatch(/is granted/);
    expect(votePermissions(me('lee', 'team-lead'), approval({ deadline: '2026-01-01T11:59:59Z' }), NOW).approve.reason).toMatch(/deadline has passed/);
  });

  it('leaves the decision to the server when the roles are unknown', () => {
    expect(votePermissions({ id: 'unknown', roles: [], rolesKnown: false }, approval(), NOW).approve.allowed).toBe(true);
  });
});

describe('requirementProgress', () => {
  const high = [['sre'], ['manager']];

  it('counts one distinct person per requirement and says what is still needed', () => {
    expect(requirementProgress(high, [vote('sam', ['sre'])])).toEqual([{ requirement: ['sre'], by: 'sam' }, { requirement: ['manager'] }]);
    expect(requirementProgress(high, [vote('sam', ['sre', 'manager'])]).filter((p) => p.by)).toHaveLength(1);
  });

  it('finds the complete assignment whatever the vote order (like the server), ignoring rejections and modified approvals', () => {
    const votes = [vote('a', ['sre', 'manager']), vote('b', ['sre']), vote('c', ['manager'], 'reject'), { ...vote('d', ['manager']), modifications: { replicas: 2 } }];
    const progress = requirementProgress(high, votes);
    expect(progress.map((p) => p.by)).toEqual(['b', 'a']);
    expect(assignApprovers(high, votes.slice(0, 2))?.map((a) => a.by)).toEqual(['b', 'a']);
  });
});

describe('refusalText', () => {
  it('puts a coded refusal in words and keeps the server message', () => {
    expect(refusalText('APPROVAL.SELF_APPROVAL', 'alice proposed this action and cannot approve it')).toBe(
      'Refused: you proposed this action, and a proposer can never approve their own proposal. (alice proposed this action and cannot approve it)',
    );
    expect(refusalText('APPROVAL.STALE_VERSION', '')).toMatch(/changed since you loaded it/);
    expect(refusalText('SOMETHING.ELSE', 'raw message')).toBe('raw message');
  });
});
