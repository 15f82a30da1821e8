import { AnomalyDetected } from '@vigil/domain/anomaly';
import { ApprovalPolicy, ApprovalRequested, DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import { EscalationLevelReached, EscalationStarted } from '@vigil/domain/escalation';
import { ExecutionRequested, ExecutionStarted, ExecutionSucceeded } from '@vigil/domain/execution';
import { RemediationAction, RemediationProposed, RiskAssessed, actionHashInput } from '@vigil/domain/remediation';
import { DomainEvent } from '@vigil/domain/shared';
import { SagaContext, SagaOptions, readableIds } from './context';
import { RecordedEventLike, asSagaEvent } from './events';
import { approvalFactsOf, executionFactsOf, factsNeeded, proposalFactsOf, proposalIdFrom, SagaFacts } from './facts';
import { SagaOutput, Send } from './outputs';
import { react } from './react';

/** A stand-in for sha256 that keeps the input readable in expectations. */
export const fakeHash = (text: string): string => `sha256(${text})`;

export const T0 = '2025-03-01T10:00:00.000Z';
export const T1 = '2025-03-01T10:05:00.000Z';
export const MEDIUM_L0_DEADLINE = '2025-03-01T10:30:00.000Z';
export const MEDIUM_L1_DEADLINE = '2025-03-01T11:00:00.000Z';
export const MEDIUM_L2_DEADLINE = '2025-03-01T11:30:00.000Z';
export const CORRELATION = 'corr-incident-7';

/** A stored event: the stream, its id and its correlation id are what the saga and the host see of it. */
export function recorded(streamId: string, event: DomainEvent, eventId: string): RecordedEventLike {
  return { streamId, eventId, type: event.type, data: event.data, metadata: { correlationId: CORRELATION } };
}

/**
 * given(history).when(event): folds the facts the host would read — the proposal, approval and execution streams
 * up to and including the event — and runs the saga on the event.
 */
export function sagaSpecification(overrides: { policy?: ApprovalPolicy; options?: Partial<SagaOptions> } = {}) {
  const policy = overrides.policy ?? DEFAULT_APPROVAL_POLICY;
  return {
    given(history: readonly RecordedEventLike[]) {
      return {
        when(event: RecordedEventLike): SagaOutput[] {
          const context: SagaContext = { policy, facts: factsFor(event, [...history, event]), hash: fakeHash, deriveId: readableIds, options: overrides.options };
          return react(event, context);
        },
      };
    },
  };
}

export function factsFor(event: RecordedEventLike, log: readonly RecordedEventLike[]): SagaFacts {
  const sagaEvent = asSagaEvent(event);
  if (!sagaEvent) return {};
  const needs = factsNeeded(sagaEvent);
  const stream = (id: string) => log.filter((e) => e.streamId === id);
  const approval = needs.approvalId ? approvalFactsOf(stream(`approval-${needs.approvalId}`)) : undefined;
  const execution = needs.executionId ? executionFactsOf(stream(`execution-${needs.executionId}`)) : undefined;
  const proposalId = needs.proposalId ?? (needs.proposal ? proposalIdFrom({ approval, execution }) : undefined);
  const proposal = proposalId ? proposalFactsOf(stream(`proposal-${proposalId}`)) : undefined;
  return { ...(proposal ? { proposal } : {}), ...(approval ? { approval } : {}), ...(execution ? { execution } : {}) };
}

export const sends = (outputs: readonly SagaOutput[]): Send[] => outputs.filter((o): o is Send => o.type === 'Send');
export const commandTypes = (outputs: readonly SagaOutput[]): string[] =>
  outputs.map((o) => (o.type === 'Send' ? `Send ${o.aggregate}/${o.command.type}` : o.type === 'Notify' ? `Notify ${o.channel}` : `${o.type} ${o.timerId}`));

// ——— A story: an anomaly, an AI's rollback proposal (medium tier: a team lead approves) and its approval. ———

export const ROLLBACK: RemediationAction = { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v41' } };

export const anomalyDetected: RecordedEventLike = recorded(
  'anomaly-anom-1',
  {
    type: 'AnomalyDetected',
    data: {
      anomalyId: 'anom-1',
      service: 'payments-api',
      operation: 'POST /charge',
      signal: 'latency_p99',
      expected: 180,
      actual: 950,
      score: 0.97,
      severity: 'error',
      window: { start: '2025-03-01T09:59:00.000Z', end: T0 },
      at: T0,
    },
  } satisfies AnomalyDetected,
  'e-anomaly',
);

export const proposed: RecordedEventLike = recorded(
  'proposal-prop-1',
  {
    type: 'RemediationProposed',
    data: {
      proposalId: 'prop-1',
      action: ROLLBACK,
      rationale: 'latency rose right after the v42 deploy',
      investigationId: 'inv-1',
      anomalyId: 'anom-1',
      proposer: 'ai:investigator',
      version: 1,
      at: T0,
    },
  } satisfies RemediationProposed,
  'e-proposed',
);

export const assessed = (tier: RiskAssessed['data']['tier'] = 'medium', version = 1, eventId = 'e-assessed', at = T0): RecordedEventLike =>
  recorded(
    'proposal-prop-1',
    { type: 'RiskAssessed', data: { proposalId: 'prop-1', version, tier, factors: [{ name: 'action-tier' }], assessedBy: 'system:saga', at } } satisfies RiskAssessed,
    eventId,
  );

/** The ids the saga gives the approval of `assessed()` (readable ids in specs). */
export const APPROVAL_ID = 'approval:e-assessed';
export const ESCALATION_ID = `escalation:${APPROVAL_ID}`;
export const EXECUTION_ID = `execution:approval:${APPROVAL_ID}`;
export const ACTION_HASH = fakeHash(actionHashInput(ROLLBACK, 1));

export const approvalRequested = (overrides: Partial<ApprovalRequested['data']> = {}): RecordedEventLike =>
  recorded(
    `approval-${overrides.approvalId ?? APPROVAL_ID}`,
    {
      type: 'ApprovalRequested',
      data: {
        approvalId: APPROVAL_ID,
        proposalId: 'prop-1',
        proposalVersion: 1,
        actionHash: ACTION_HASH,
        tier: 'medium',
        requiredRoles: [['team-lead']],
        proposer: 'ai:investigator',
        deadline: MEDIUM_L0_DEADLINE,
        requestedBy: 'system:saga',
        at: T0,
        ...overrides,
      },
    } satisfies ApprovalRequested,
    `e-requested:${overrides.approvalId ?? APPROVAL_ID}`,
  );

const mediumLevels = (DEFAULT_APPROVAL_POLICY.tiers.medium as Extract<ApprovalPolicy['tiers']['medium'], { autoApprove: false }>).escalation;

export const escalationStarted: RecordedEventLike = recorded(
  `escalation-${ESCALATION_ID}`,
  { type: 'EscalationStarted', data: { escalationId: ESCALATION_ID, approvalId: APPROVAL_ID, levels: mediumLevels, at: T0 } } satisfies EscalationStarted,
  'e-esc-started',
);

export const levelReached = (level: number, at: string, eventId = `e-level-${level}`): RecordedEventLike =>
  recorded(
    `escalation-${ESCALATION_ID}`,
    {
      type: 'EscalationLevelReached',
      data: { escalationId: ESCALATION_ID, approvalId: APPROVAL_ID, level, targets: mediumLevels[level].notify, channels: [...new Set(mediumLevels[level].notify.map((t) => t.channel))], at },
    } satisfies EscalationLevelReached,
    eventId,
  );

export const approvalEvent = (event: DomainEvent, eventId: string, approvalId = APPROVAL_ID): RecordedEventLike => recorded(`approval-${approvalId}`, event, eventId);

export const executionRequested: RecordedEventLike = recorded(
  `execution-${EXECUTION_ID}`,
  {
    type: 'ExecutionRequested',
    data: {
      executionId: EXECUTION_ID,
      proposalId: 'prop-1',
      approvalId: APPROVAL_ID,
      action: ROLLBACK,
      actionHash: ACTION_HASH,
      idempotencyKey: EXECUTION_ID,
      maxAttempts: 3,
      requestedBy: 'system:saga',
      at: T1,
    },
  } satisfies ExecutionRequested,
  'e-exec-requested',
);

export const executionStarted: RecordedEventLike = recorded(
  `execution-${EXECUTION_ID}`,
  { type: 'ExecutionStarted', data: { executionId: EXECUTION_ID, attempt: 1, leaseOwner: 'worker-a', leaseExpiresAt: '2025-03-01T10:06:00.000Z', at: T1 } } satisfies ExecutionStarted,
  'e-exec-started',
);

export const executionSucceeded: RecordedEventLike = recorded(
  `execution-${EXECUTION_ID}`,
  { type: 'ExecutionSucceeded', data: { executionId: EXECUTION_ID, attempt: 1, result: { previousRevision: 'v42' }, at: T1 } } satisfies ExecutionSucceeded,
  'e-exec-succeeded',
);

export const executionEvent = (event: DomainEvent, eventId: string): RecordedEventLike => recorded(`execution-${EXECUTION_ID}`, event, eventId);
