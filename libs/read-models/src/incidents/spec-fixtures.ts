// Test support for the read-model specs: real domain events, decided by the real deciders and appended through a
// real event store, with a test clock so every instant is explicit.
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventStore, START, comparePositions, handleCommand } from '@vigil/event-store';
import { AnomalyCommand, anomalyDecider } from '@vigil/domain/anomaly';
import { ApprovalCommand, approvalDecider, DEFAULT_APPROVAL_POLICY, HumanApprovedTier } from '@vigil/domain/approval';
import { EscalationCommand, escalationDecider } from '@vigil/domain/escalation';
import { ExecutionCommand, executionDecider } from '@vigil/domain/execution';
import { InvestigationCommand, investigationDecider } from '@vigil/domain/investigation';
import { RemediationAction, RemediationProposalCommand, actionHashInput, remediationProposalDecider } from '@vigil/domain/remediation';
import { Decider, DomainCommand, DomainEvent } from '@vigil/domain/shared';
import { createReadModelDataSource } from '@vigil/database';
import { createPostgresFixture, PostgresFixture } from '../../../event-store/src/postgres/postgres-fixture';
import { Projection } from '../projection-runner/projection';
import { readModelEntities } from '../registry';
import { ProjectionRunner } from '../projection-runner/projection-runner';

type Data<C extends DomainCommand> = C extends DomainCommand<string, infer D> ? D : never;
type Send<C extends DomainCommand> = <T extends C['type']>(type: T, data: Data<Extract<C, { type: T }>>, actor?: string) => Promise<DomainEvent[]>;

export const T0 = Date.parse('2025-03-01T10:00:00.000Z');
export const isoAt = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

export const actionHash = (action: RemediationAction, version: number) =>
  `sha256:${createHash('sha256').update(actionHashInput(action, version)).digest('hex')}`;

export const mediumTier = DEFAULT_APPROVAL_POLICY.tiers.medium as HumanApprovedTier;

/** Sends commands through `handleCommand`, at `now` minutes after T0 (set it with `story.at(…)`). */
export class Story {
  minutes = 0;
  constructor(private readonly store: EventStore) {}

  at(minutes: number): this {
    this.minutes = minutes;
    return this;
  }

  get now(): string {
    return isoAt(this.minutes);
  }

  private sender<C extends DomainCommand>(decider: Decider<unknown, C, DomainEvent>, aggregate: string, idField: string): Send<C> {
    return async (type, data, actor = 'system:test') => {
      const id = (data as Record<string, string>)[idField];
      const command = { type, data, metadata: { actor, now: this.now, correlationId: randomUUID() } } as unknown as C;
      const handled = await handleCommand(this.store, decider, `${aggregate}-${id}`, command);
      return [...handled.events];
    };
  }

  readonly anomaly = this.sender<AnomalyCommand>(anomalyDecider, 'anomaly', 'anomalyId');
  readonly investigation = this.sender<InvestigationCommand>(investigationDecider, 'investigation', 'investigationId');
  readonly proposal = this.sender<RemediationProposalCommand>(remediationProposalDecider, 'proposal', 'proposalId');
  readonly approval = this.sender<ApprovalCommand>(approvalDecider, 'approval', 'approvalId');
  readonly escalation = this.sender<EscalationCommand>(escalationDecider, 'escalation', 'escalationId');
  readonly execution = this.sender<ExecutionCommand>(executionDecider, 'execution', 'executionId');
}

export const ids = () => {
  const n = randomUUID().slice(0, 8);
  return {
    anomalyId: `anom-${n}`,
    investigationId: `inv-${n}`,
    proposalId: `prop-${n}`,
    approvalId: `appr-${n}`,
    escalationId: `esc-${n}`,
    executionId: `exec-${n}`,
  };
};
export type Ids = ReturnType<typeof ids>;

export const rollback: RemediationAction = { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 41 } };

/** Anomaly → investigation → finding → proposal (medium rollback) → risk → pending approval, as the saga would drive it. */
export async function upToPendingApproval(story: Story, id: Ids, options: { action?: RemediationAction; deadlineMinutes?: number; requiredRoles?: readonly (readonly string[])[] } = {}) {
  const action = options.action ?? rollback;
  await story.at(0).anomaly('DetectAnomaly', {
    anomalyId: id.anomalyId,
    service: 'payments-api',
    operation: 'POST /pay',
    signal: 'latency_p99',
    expected: 120,
    actual: 870,
    score: 6.2,
    severity: 'error',
    window: { start: isoAt(-5), end: isoAt(0) },
    source: 'detector',
  }, 'system:detector');
  await story.at(1).investigation('OpenInvestigation', { investigationId: id.investigationId, anomalyIds: [id.anomalyId] }, 'ai:investigator');
  await story.at(2).investigation(
    'RecordFinding',
    {
      investigationId: id.investigationId,
      findingId: `${id.investigationId}-f1`,
      kind: 'deployment',
      summary: 'payments-api r42 rolled out 3 minutes before the latency rise',
      evidence: { revision: 42, previousRevision: 41 },
      score: 0.9,
    },
    'ai:investigator',
  );
  await story.at(3).proposal(
    'ProposeRemediation',
    { proposalId: id.proposalId, action, rationale: 'Roll back the deployment that preceded the regression', investigationId: id.investigationId, anomalyId: id.anomalyId },
    'ai:investigator',
  );
  await story.at(3).proposal(
    'AssessRisk',
    { proposalId: id.proposalId, version: 1, tier: 'medium', factors: [{ name: 'action-tier', detail: 'argocd.rollback is medium' }], dryRun: { ok: true, summary: 'diff: 1 deployment' } },
    'system:risk',
  );
  await story.at(4).approval(
    'RequestApproval',
    {
      approvalId: id.approvalId,
      proposalId: id.proposalId,
      proposalVersion: 1,
      actionHash: actionHash(action, 1),
      tier: 'medium',
      requiredRoles: options.requiredRoles ?? mediumTier.approvers,
      proposer: 'ai:investigator',
      deadline: isoAt(options.deadlineMinutes ?? 34),
    },
    'system:saga',
  );
  return { action, hash: actionHash(action, 1) };
}

/**
 * Runs `catchUp` until `done` holds: the visibility fence is cluster-wide, so parallel specs can hold events back
 * briefly. On timeout it says whether the store delivered the log out of global order (which no projection survives).
 */
export async function catchUpUntil(runner: ProjectionRunner, store: EventStore, done: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runner.catchUp();
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${await orderProblem(store)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function orderProblem(store: EventStore): Promise<string> {
  const events = await store.readAll(START, 100_000);
  const at = events.findIndex((e, i) => i > 0 && comparePositions(events[i - 1].position, e.position) >= 0);
  if (at < 0) return '';
  const show = (i: number) => `${events[i].position.commit}:${events[i].position.prepare}`;
  return (
    `: the event store's readAll returned ${show(at - 1)} before ${show(at)}, out of global (commit, prepare) order, ` +
    'so a checkpoint can jump past events (transaction ids sorted as text once they cross a power of ten?)'
  );
}

/** Applies every event in the store to `projection` in one direct call (no checkpoint): to re-apply a batch on purpose. */
export async function applyAllDirectly(dataSource: DataSource, store: EventStore, projection: Projection): Promise<number> {
  const events = await store.readAll(START, 10_000);
  await dataSource.transaction((manager) => projection.apply(events, manager));
  return events.length;
}

/** What each projection spec runs against: a fresh migrated database, its read-model data source, a story, a runner. */
export interface ProjectionWorld {
  readonly fx: PostgresFixture;
  readonly dataSource: DataSource;
  readonly story: Story;
  readonly runner: ProjectionRunner;
}

export async function openProjectionWorld(projection: Projection, batchSize: number): Promise<ProjectionWorld> {
  const fx = await createPostgresFixture();
  const dataSource = await createReadModelDataSource({ ownerUrl: fx.url }, readModelEntities);
  return { fx, dataSource, story: new Story(fx.store), runner: new ProjectionRunner(dataSource, fx.store, projection, { batchSize }) };
}

export async function closeProjectionWorld(world: Pick<ProjectionWorld, 'fx' | 'dataSource' | 'runner'>): Promise<void> {
  await world.runner.stop();
  await world.dataSource.destroy();
  await world.fx.teardown();
}
