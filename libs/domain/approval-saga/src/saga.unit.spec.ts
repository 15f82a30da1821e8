import { DEFAULT_APPROVAL_POLICY, HumanApprovedTier } from '@vigil/domain/approval';
import { RemediationAction } from '@vigil/domain/remediation';
import { CommandMetadata } from '@vigil/domain/shared';
import { RiskAssessor, assessByActionTier, readableIds } from './context';
import { factsFor, fakeHash } from './spec-fixtures';
import { InMemoryWorld } from './in-memory-world';
import { react } from './react';

const T0 = '2025-03-01T10:00:00.000Z';
const by = (actor: string, now: string, correlationId = 'corr-1'): CommandMetadata => ({ actor, now, correlationId });
const ROLLBACK: RemediationAction = { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v41' } };

/** An AI proposes a rollback (medium tier) for an anomaly; the saga takes it from there. */
function storyWorld(policy = DEFAULT_APPROVAL_POLICY, assess: RiskAssessor = assessByActionTier, action = ROLLBACK) {
  const world = new InMemoryWorld(policy, { assess, verifyDelayMs: 60_000 });
  world.send('anomaly', 'anom-1', {
    type: 'DetectAnomaly',
    data: { anomalyId: 'anom-1', service: 'payments-api', operation: 'POST /charge', signal: 'latency_p99', expected: 180, actual: 950, score: 0.97, severity: 'error', window: { start: T0, end: T0 } },
    metadata: by('system:detector', T0),
  });
  world.send('proposal', 'prop-1', {
    type: 'ProposeRemediation',
    data: { proposalId: 'prop-1', action, rationale: 'latency rose after the v42 deploy', anomalyId: 'anom-1', investigationId: 'inv-1' },
    metadata: by('ai:investigator', T0),
  });
  world.run();
  return world;
}

const approvalsOf = (world: InMemoryWorld) => world.log.filter((e) => e.type === 'ApprovalRequested').map((e) => e.data as { approvalId: string; tier: string; requiredRoles: string[][]; actionHash: string; proposalVersion: number });

describe('approval saga against the real deciders', () => {
  it('carries a medium-tier proposal to a pending approval for a team lead, with its escalation at level 0 and its timer', () => {
    const world = storyWorld();
    const [approval] = approvalsOf(world);
    expect(approval).toMatchObject({ tier: 'medium', requiredRoles: [['team-lead']], proposalVersion: 1 });
    expect(world.types(`approval-${approval.approvalId}`)).toEqual(['ApprovalRequested']);
    expect(world.types(`escalation-escalation:${approval.approvalId}`)).toEqual(['EscalationStarted', 'EscalationLevelReached']);
    expect([...world.timers.keys()]).toEqual([`approval-timeout:${approval.approvalId}:0`]);
    expect(world.notices.filter((n) => n.escalationId).map((n) => [n.level, n.channel])).toEqual([[0, 'slack'], [0, 'log']]);
    expect(world.refusals).toEqual([]);
  });

  it('escalates level by level on the policy\'s schedule until the approval expires and the escalation is exhausted', () => {
    const world = storyWorld();
    const [{ approvalId }] = approvalsOf(world);
    const medium = DEFAULT_APPROVAL_POLICY.tiers.medium as HumanApprovedTier;
    const deadlines: string[] = [];
    for (let level = 0; level < medium.escalation.length; level++) {
      const timer = world.timers.get(`approval-timeout:${approvalId}:${level}`);
      deadlines.push(timer?.at ?? 'missing');
      world.fire(`approval-timeout:${approvalId}:${level}`);
    }
    expect(deadlines).toEqual(['2025-03-01T10:30:00.000Z', '2025-03-01T11:00:00.000Z', '2025-03-01T11:30:00.000Z']);
    expect(world.types(`approval-${approvalId}`)).toEqual([
      'ApprovalRequested',
      'ApprovalTimedOut', 'ApprovalDeadlineExtended',
      'ApprovalTimedOut', 'ApprovalDeadlineExtended',
      'ApprovalTimedOut', 'ApprovalExpired',
    ]);
    expect(world.types(`escalation-escalation:${approvalId}`)).toEqual(['EscalationStarted', 'EscalationLevelReached', 'EscalationLevelReached', 'EscalationLevelReached', 'EscalationExhausted']);
    expect(world.notices.filter((n) => n.escalationId).map((n) => `${n.level}:${n.channel}:${'role' in n.target ? n.target.role : n.target.user}`)).toEqual([
      '0:slack:team-lead', '0:log:team-lead',
      '1:pagerduty:team-lead', '1:log:team-lead',
      '2:pagerduty:team-lead', '2:slack:manager', '2:log:team-lead',
    ]);
    expect(world.timers.size).toBe(0);
    expect(world.refusals).toEqual([]);
  });

  it('a grant cancels the timer, stops the escalation and requests the execution once — even when the saga runs over the whole log again', () => {
    const world = storyWorld();
    const [{ approvalId, actionHash }] = approvalsOf(world);
    world.send('approval', approvalId, {
      type: 'CastVote',
      data: { approvalId, roles: ['team-lead'], decision: 'approve', proposalVersion: 1, actionHash },
      metadata: by('tl-tom', '2025-03-01T10:10:00.000Z'),
    });
    world.run();
    expect(world.timers.size).toBe(0);
    expect(world.types(`escalation-escalation:${approvalId}`).at(-1)).toBe('EscalationStopped');
    const executions = () => world.log.filter((e) => e.type === 'ExecutionRequested');
    expect(executions()).toHaveLength(1);
    expect(executions()[0]).toMatchObject({ streamId: `execution-execution:approval:${approvalId}`, data: { approvalId, action: ROLLBACK, actionHash } });

    const before = world.log.length;
    const outputsBefore = world.outputs.length;
    world.rerunFromStart();
    expect(world.log.length).toBe(before);
    expect(executions()).toHaveLength(1);
    expect(world.outputs.slice(outputsBefore)).toEqual(world.outputs.slice(0, outputsBefore));
    expect(world.refusals).toEqual([]);
  });

  it('a success is verified after the delay and a recovery resolves the anomaly', () => {
    const world = storyWorld();
    const [{ approvalId, actionHash }] = approvalsOf(world);
    world.send('approval', approvalId, { type: 'CastVote', data: { approvalId, roles: ['team-lead'], decision: 'approve', proposalVersion: 1, actionHash }, metadata: by('tl-tom', '2025-03-01T10:10:00.000Z') });
    world.run();
    const executionId = `execution:approval:${approvalId}`;
    world.send('execution', executionId, { type: 'StartExecution', data: { executionId, leaseOwner: 'w', leaseMs: 30_000 }, metadata: by('system:worker', '2025-03-01T10:10:01.000Z') });
    world.send('execution', executionId, { type: 'RecordExecutionSuccess', data: { executionId, attempt: 1, leaseOwner: 'w', result: { previousRevision: 'v42' } }, metadata: by('system:worker', '2025-03-01T10:10:05.000Z') });
    world.run();
    expect(world.timers.get(`execution-verify:${executionId}`)?.at).toBe('2025-03-01T10:11:05.000Z');
    world.fire(`execution-verify:${executionId}`);
    expect(world.types('anomaly-anom-1')).toEqual(['AnomalyDetected', 'AnomalyResolved']);
    expect(world.stream('anomaly-anom-1')[1].data).toMatchObject({ how: 'remediated', by: 'system:saga' });
  });

  it('a rejection feeds the reason back to the investigation', () => {
    const world = storyWorld();
    world.send('investigation', 'inv-1', { type: 'OpenInvestigation', data: { investigationId: 'inv-1', anomalyIds: ['anom-1'] }, metadata: by('ai:investigator', T0) });
    const [{ approvalId, actionHash }] = approvalsOf(world);
    world.send('approval', approvalId, {
      type: 'CastVote',
      data: { approvalId, roles: ['team-lead'], decision: 'reject', reason: 'v41 lacks the fraud hotfix', proposalVersion: 1, actionHash },
      metadata: by('tl-tom', '2025-03-01T10:10:00.000Z'),
    });
    world.run();
    expect(world.stream('investigation-inv-1').map((e) => e.type)).toEqual(['InvestigationOpened', 'RejectionFeedbackRecorded']);
    expect(world.log.some((e) => e.type === 'ExecutionRequested')).toBe(false);
  });

  it('a modification that raises the tier makes a new approval with the new tier\'s approvers, and no vote is carried over', () => {
    // Scaling past 10 replicas is high risk: an assessor with one more factor than the action's tier.
    const assess: RiskAssessor = (action, policy) => {
      const replicas = action.params.replicas;
      return typeof replicas === 'number' && replicas > 10
        ? { tier: 'high', factors: [{ name: 'action-tier' }, { name: 'replicas-above-10', detail: `${replicas} replicas` }] }
        : assessByActionTier(action, policy);
    };
    const world = storyWorld(DEFAULT_APPROVAL_POLICY, assess, { kind: 'k8s.scale', target: 'k8s:prod/payments/deployment/api', params: { replicas: 4 } });
    const [first] = approvalsOf(world);
    expect(first).toMatchObject({ tier: 'low', proposalVersion: 1 });
    world.send('approval', first.approvalId, {
      type: 'CastVote',
      data: { approvalId: first.approvalId, roles: ['sre'], decision: 'approve', modifications: { replicas: 20 }, proposalVersion: 1, actionHash: first.actionHash },
      metadata: by('sam', '2025-03-01T10:05:00.000Z'),
    });
    world.run();

    const approvals = approvalsOf(world);
    expect(approvals).toHaveLength(2);
    const second = approvals[1];
    expect(second).toMatchObject({ tier: 'high', requiredRoles: [['sre'], ['manager']], proposalVersion: 2 });
    expect(second.approvalId).not.toBe(first.approvalId);
    expect(second.actionHash).not.toBe(first.actionHash);
    expect(world.types(`approval-${first.approvalId}`)).toEqual(['ApprovalRequested', 'VoteCast', 'ApprovalCancelled']);
    expect(world.types(`approval-${second.approvalId}`)).toEqual(['ApprovalRequested']);
    expect(world.types(`escalation-escalation:${first.approvalId}`).at(-1)).toBe('EscalationStopped');
    expect(world.types(`escalation-escalation:${second.approvalId}`)).toEqual(['EscalationStarted', 'EscalationLevelReached']);
    expect([...world.timers.keys()]).toEqual([`approval-timeout:${second.approvalId}:0`]);
    expect(world.timers.get(`approval-timeout:${second.approvalId}:0`)?.at).toBe('2025-03-01T11:05:00.000Z');

    // sam must vote again, and alone does not grant the high tier.
    world.send('approval', second.approvalId, {
      type: 'CastVote',
      data: { approvalId: second.approvalId, roles: ['sre'], decision: 'approve', proposalVersion: 2, actionHash: second.actionHash },
      metadata: by('sam', '2025-03-01T10:06:00.000Z'),
    });
    world.run();
    expect(world.types(`approval-${second.approvalId}`)).toEqual(['ApprovalRequested', 'VoteCast']);
    world.send('approval', second.approvalId, {
      type: 'CastVote',
      data: { approvalId: second.approvalId, roles: ['manager'], decision: 'approve', proposalVersion: 2, actionHash: second.actionHash },
      metadata: by('maria', '2025-03-01T10:07:00.000Z'),
    });
    world.run();
    const execution = world.log.find((e) => e.type === 'ExecutionRequested');
    expect(execution?.data).toMatchObject({ approvalId: second.approvalId, action: { params: { replicas: 20 } }, actionHash: second.actionHash });
    expect(world.refusals).toEqual([]);
  });
});

describe('approval saga determinism', () => {
  it('gives identical outputs — ids, idempotency keys, timer ids — every time it runs on the same event with the same facts', () => {
    const world = storyWorld();
    const [{ approvalId, actionHash }] = approvalsOf(world);
    world.fire(`approval-timeout:${approvalId}:0`);
    world.send('approval', approvalId, { type: 'CastVote', data: { approvalId, roles: ['team-lead'], decision: 'approve', proposalVersion: 1, actionHash }, metadata: by('tl-tom', '2025-03-01T10:40:00.000Z') });
    world.run();
    for (let index = 0; index < world.log.length; index++) {
      const event = world.log[index];
      const run = () => react(event, { policy: DEFAULT_APPROVAL_POLICY, facts: factsFor(event, world.log.slice(0, index + 1)), hash: fakeHash, deriveId: readableIds });
      expect(JSON.stringify(run())).toBe(JSON.stringify(run()));
    }
  });

  it('derives every key from the triggering event, so two events never share a key and one event never changes its keys', () => {
    const world = storyWorld();
    const [{ approvalId }] = approvalsOf(world);
    world.fire(`approval-timeout:${approvalId}:0`);
    world.fire(`approval-timeout:${approvalId}:1`);
    const keys = world.outputs.flatMap((o) => (o.type === 'Send' ? [o.command.metadata.idempotencyKey] : o.type === 'Notify' ? [o.key] : []));
    expect(new Set(keys).size).toBe(keys.length);
    for (const output of world.outputs) {
      if (output.type === 'Send') expect(output.command.metadata.idempotencyKey?.startsWith(`saga:${output.command.metadata.causationId}:`)).toBe(true);
      if (output.type === 'Notify') expect(output.key.startsWith(`saga:${output.causationId}:notify:`)).toBe(true);
    }
  });

  it('names timers after the approval and level, and the verification after the execution', () => {
    const world = storyWorld();
    const [{ approvalId }] = approvalsOf(world);
    expect([...world.timers.keys()]).toEqual([`approval-timeout:${approvalId}:0`]);
    world.fire(`approval-timeout:${approvalId}:0`);
    expect([...world.timers.keys()]).toEqual([`approval-timeout:${approvalId}:1`]);
    const timer = world.timers.get(`approval-timeout:${approvalId}:1`);
    expect(timer?.work).toMatchObject({ type: 'Send', send: { command: { metadata: { idempotencyKey: `timer:approval-timeout:${approvalId}:1` } } } });
  });

  it('carries the correlation id of the incident through every command it sends', () => {
    const world = storyWorld();
    const correlations = new Set(world.outputs.flatMap((o) => (o.type === 'Send' ? [o.command.metadata.correlationId] : [])));
    expect(correlations).toEqual(new Set(['corr-1']));
  });
});
