import { DataSource } from 'typeorm';
import { PostgresFixture } from '../../../event-store/src/postgres/postgres-fixture';
import { ProjectionRunner } from '../projection-runner/projection-runner';
import { readModelChecksum, rebuildProjection } from '../projection-runner/rebuild-projection';
import { Ids, Story, actionHash, applyAllDirectly, catchUpUntil, ids, isoAt, mediumTier, rollback, upToPendingApproval, closeProjectionWorld, openProjectionWorld } from '../incidents/spec-fixtures';
import { approvalQueueProjection } from './approval-queue.projection';
import { approvalQueueItem, approvalsByProposal, pendingApprovalDeadlines, pendingApprovals } from './approval-queue.queries';

describe('approval-queue projection', () => {
  let fx: PostgresFixture;
  let dataSource: DataSource;
  let story: Story;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    ({ fx, dataSource, story, runner } = await openProjectionWorld(approvalQueueProjection, 3));
  });
  afterEach(() => closeProjectionWorld({ fx, dataSource, runner }));

  const item = (approvalId: string) => approvalQueueItem(dataSource.manager, approvalId);
  const until = (what: string, check: () => Promise<boolean>) => catchUpUntil(runner, fx.store, check, what);

  /** A medium approval under a stricter policy (a team lead and an SRE), escalated to level 0, one vote in, one refused. */
  async function pendingWithAVote(id: Ids) {
    await upToPendingApproval(story, id, { requiredRoles: [['team-lead'], ['sre', 'manager']] });
    await story.at(4).escalation('StartEscalation', { escalationId: id.escalationId, approvalId: id.approvalId, levels: mediumTier.escalation }, 'system:saga');
    const ballot = { approvalId: id.approvalId, proposalVersion: 1, actionHash: actionHash(rollback, 1) };
    await story.at(6).approval('CastVote', { ...ballot, roles: [], decision: 'approve' }, 'ai:investigator'); // refused: the proposer
    await story.at(7).approval('CastVote', { ...ballot, roles: ['team-lead'], decision: 'approve', reason: 'r42 is the only change' }, 'tina');
    return ballot;
  }

  it('shows a pending medium approval with its votes, deadline, escalation level, action and evidence', async () => {
    const id = ids();
    await pendingWithAVote(id);
    await until('the vote', async () => (await item(id.approvalId))?.votes.length === 1);

    const [pending] = await pendingApprovals(dataSource.manager);
    expect(pending).toEqual({
      approvalId: id.approvalId,
      proposalId: id.proposalId,
      proposalVersion: 1,
      tier: 'medium',
      requiredRoles: [['team-lead'], ['sre', 'manager']],
      votes: [{ by: 'tina', roles: ['team-lead'], decision: 'approve', reason: 'r42 is the only change', at: isoAt(7) }],
      refusedAttempts: 1,
      status: 'pending',
      deadline: isoAt(34),
      deadlineLevel: 0,
      timedOut: false,
      escalationId: id.escalationId,
      escalationLevel: 0,
      escalationStatus: 'active',
      actionHash: actionHash(rollback, 1),
      action: rollback,
      proposer: 'ai:investigator',
      anomalyId: id.anomalyId,
      investigationId: id.investigationId,
      rationale: 'Roll back the deployment that preceded the regression',
      riskFactors: [{ name: 'action-tier', detail: 'argocd.rollback is medium' }],
      blastRadius: null,
      dryRun: { ok: true, summary: 'diff: 1 deployment' },
      requestedBy: 'system:saga',
      requestedAt: isoAt(4),
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
      approvers: null,
      cancelReason: null,
      modifications: null,
    });
    expect(await pendingApprovalDeadlines(dataSource.manager)).toEqual([{ approvalId: id.approvalId, deadline: isoAt(34), level: 0, timedOut: false }]);
  });

  it('moves the status on grant, reject and expiry; only pending approvals have timers', async () => {
    const granted = ids();
    const rejected = ids();
    const expired = ids();
    const ballot = await pendingWithAVote(granted);
    await story.at(8).approval('CastVote', { ...ballot, roles: ['sre'], decision: 'approve' }, 'sam');
    await story.at(9).escalation('StopEscalation', { escalationId: granted.escalationId, why: 'granted' }, 'system:saga');

    await upToPendingApproval(story, rejected, { deadlineMinutes: 40 });
    await story.at(10).approval('CastVote', { approvalId: rejected.approvalId, proposalVersion: 1, actionHash: actionHash(rollback, 1), roles: ['team-lead'], decision: 'reject', reason: 'the rollback drops the fraud rules fix' }, 'tina');

    await upToPendingApproval(story, expired, { deadlineMinutes: 34 });
    await story.at(4).escalation('StartEscalation', { escalationId: expired.escalationId, approvalId: expired.approvalId, levels: mediumTier.escalation }, 'system:saga');
    await story.at(34).approval('TimeOutApproval', { approvalId: expired.approvalId }, 'system:timer');
    await until('the time-out', async () => (await item(expired.approvalId))?.timedOut === true);
    expect(await pendingApprovalDeadlines(dataSource.manager)).toEqual([{ approvalId: expired.approvalId, deadline: isoAt(34), level: 0, timedOut: true }]);

    await story.at(34).escalation('AdvanceEscalation', { escalationId: expired.escalationId, toLevel: 1 }, 'system:saga');
    await story.at(34).approval('ExtendDeadline', { approvalId: expired.approvalId, newDeadline: isoAt(64), level: 1 }, 'system:saga');
    await until('the extension', async () => (await item(expired.approvalId))?.deadlineLevel === 1);
    expect(await pendingApprovalDeadlines(dataSource.manager)).toEqual([{ approvalId: expired.approvalId, deadline: isoAt(64), level: 1, timedOut: false }]);
    expect((await item(expired.approvalId))?.escalationLevel).toBe(1);

    await story.at(64).approval('TimeOutApproval', { approvalId: expired.approvalId }, 'system:timer');
    await story.at(64).approval('ExpireApproval', { approvalId: expired.approvalId }, 'system:timer');
    await story.at(64).escalation('AdvanceEscalation', { escalationId: expired.escalationId, toLevel: 2 }, 'system:saga');
    await story.at(64).escalation('AdvanceEscalation', { escalationId: expired.escalationId, toLevel: 3 }, 'system:saga');
    await until('the expiry', async () => (await item(expired.approvalId))?.escalationStatus === 'exhausted');

    expect(await item(granted.approvalId)).toMatchObject({
      status: 'granted',
      decidedAt: isoAt(8),
      approvers: [{ requirement: 0, by: 'tina' }, { requirement: 1, by: 'sam' }],
      votes: [expect.objectContaining({ by: 'tina' }), expect.objectContaining({ by: 'sam', roles: ['sre'], reason: null })],
      escalationStatus: 'stopped',
    });
    expect(await item(rejected.approvalId)).toMatchObject({ status: 'rejected', decidedAt: isoAt(10), decidedBy: 'tina', decisionReason: 'the rollback drops the fraud rules fix' });
    expect(await item(expired.approvalId)).toMatchObject({ status: 'expired', decidedAt: isoAt(64), deadline: isoAt(64), escalationLevel: 2 });
    expect(await pendingApprovals(dataSource.manager)).toEqual([]);
    expect(await pendingApprovalDeadlines(dataSource.manager)).toEqual([]);
  });

  it('shows a modified proposal’s new version with its own action on the next approval', async () => {
    const id = ids();
    const ballot = { approvalId: id.approvalId, proposalVersion: 1, actionHash: actionHash(rollback, 1) };
    await upToPendingApproval(story, id);
    await story.at(6).approval('CastVote', { ...ballot, roles: ['team-lead'], decision: 'approve', modifications: { revision: 40 } }, 'tina');
    await story.at(6).proposal('ModifyProposal', { proposalId: id.proposalId, baseVersion: 1, changes: { revision: 40 }, approvalId: id.approvalId }, 'tina');
    await story.at(6).proposal('AssessRisk', { proposalId: id.proposalId, version: 2, tier: 'medium', factors: [{ name: 'action-tier' }] }, 'system:risk');
    const v2 = { ...rollback, params: { revision: 40 } };
    const second = `${id.approvalId}-v2`;
    await story.at(7).approval(
      'RequestApproval',
      { approvalId: second, proposalId: id.proposalId, proposalVersion: 2, actionHash: actionHash(v2, 2), tier: 'medium', requiredRoles: mediumTier.approvers, proposer: 'ai:investigator', deadline: isoAt(37) },
      'system:saga',
    );
    await until('the second approval', async () => (await item(second)) !== undefined);

    const [first, next] = await approvalsByProposal(dataSource.manager, id.proposalId);
    expect(first).toMatchObject({ approvalId: id.approvalId, status: 'cancelled', cancelReason: 'modified', modifications: { revision: 40 }, action: rollback });
    expect(first.votes).toEqual([{ by: 'tina', roles: ['team-lead'], decision: 'approve', reason: null, at: isoAt(6), modifications: { revision: 40 } }]);
    expect(next).toMatchObject({ approvalId: second, status: 'pending', proposalVersion: 2, action: v2, votes: [], riskFactors: [{ name: 'action-tier' }], dryRun: null });
  });

  it('does not double-count votes or refusals when a batch is applied again', async () => {
    const id = ids();
    await pendingWithAVote(id);
    await until('the vote', async () => (await item(id.approvalId))?.votes.length === 1);
    const before = await readModelChecksum(dataSource, approvalQueueProjection);

    await applyAllDirectly(dataSource, fx.store, approvalQueueProjection);
    await applyAllDirectly(dataSource, fx.store, approvalQueueProjection);

    expect(await item(id.approvalId)).toMatchObject({ votes: [expect.objectContaining({ by: 'tina' })], refusedAttempts: 1 });
    expect(await readModelChecksum(dataSource, approvalQueueProjection)).toBe(before);
  });

  it('rebuilds into the same tables as the live run, whatever the batch size', async () => {
    const a = ids();
    const b = ids();
    const ballot = await pendingWithAVote(a);
    await story.at(8).approval('CastVote', { ...ballot, roles: ['manager'], decision: 'approve' }, 'mia');
    await upToPendingApproval(story, b);
    await story.at(34).approval('TimeOutApproval', { approvalId: b.approvalId }, 'system:timer');
    await until('both approvals', async () => (await item(a.approvalId))?.status === 'granted' && (await item(b.approvalId))?.timedOut === true);
    await runner.stop();
    const live = await readModelChecksum(dataSource, approvalQueueProjection);
    expect(live).toMatch(/^approval_queue:[0-9a-f]{32} proposal_versions:[0-9a-f]{32}$/);

    await rebuildProjection(dataSource, fx.store, approvalQueueProjection, { batchSize: 1000 });
    expect(await readModelChecksum(dataSource, approvalQueueProjection)).toBe(live);
    await rebuildProjection(dataSource, fx.store, approvalQueueProjection, { batchSize: 1 });
    expect(await readModelChecksum(dataSource, approvalQueueProjection)).toBe(live);
  });
});
