import { ApprovalEvent, ApprovalState, approvalDecider } from '@vigil/domain/approval';
import { ExecutionEvent, ExecutionState, executionDecider } from '@vigil/domain/execution';
import { DryRunOutcome, ProposalRiskContext, RemediationAction, RemediationProposalEvent, RiskTier } from '@vigil/domain/remediation';
import { assertNever } from '@vigil/domain/shared';
import { RecordedEventLike, SagaEvent } from './events';

/**
 * What the saga knows about a proposal: every version's action (an approval authorises one exact version, which
 * may no longer be the current one), who proposed it and why, and each assessment with the id of its event (the
 * approval of an assessed version is named after that event).
 */
export interface ProposalFacts {
  readonly proposalId: string;
  readonly proposer: string;
  readonly investigationId?: string;
  readonly anomalyId?: string;
  readonly rationale: string;
  /** Where the action lands, as the proposer measured it: every version is assessed with it. */
  readonly riskContext?: ProposalRiskContext;
  readonly currentVersion: number;
  /** A dry run describes the params it ran with, so only the version it was run on carries it. */
  readonly versions: readonly { readonly version: number; readonly action: RemediationAction; readonly dryRun?: DryRunOutcome }[];
  readonly assessments: readonly { readonly version: number; readonly tier: RiskTier; readonly eventId: string }[];
  readonly status: 'open' | 'withdrawn' | 'superseded';
}

/**
 * The saga's only memory, and none of it is its own: the aggregates it reacts to, folded from their streams up to
 * the triggering event (the host reads them; specs give them). Re-running the saga on an event therefore sees
 * the same facts and yields the same outputs.
 */
export interface SagaFacts {
  readonly proposal?: ProposalFacts;
  readonly approval?: Exclude<ApprovalState, { status: 'Initial' }>;
  readonly execution?: Exclude<ExecutionState, { status: 'Initial' }>;
}

/** Which aggregates the host must fold before `react(event)`. The proposal may be known only through the others. */
export interface FactsNeeded {
  readonly proposalId?: string;
  readonly approvalId?: string;
  readonly executionId?: string;
  /** Resolve the proposal through the approval or execution when `proposalId` is not given. */
  readonly proposal: boolean;
}

const NONE: FactsNeeded = { proposal: false };

export function factsNeeded(event: SagaEvent): FactsNeeded {
  switch (event.type) {
    case 'AnomalyDetected':
    case 'AnomalyEscalatedSeverity':
    case 'InvestigationConcluded':
    case 'RemediationProposed':
    case 'ApprovalExpired':
      return NONE;
    case 'ProposalModified':
    case 'RiskAssessed':
    case 'ProposalWithdrawn':
    case 'ProposalSuperseded':
      return { proposalId: event.data.proposalId, proposal: true };
    case 'ApprovalGranted':
    case 'ApprovalRejected':
    case 'ApprovalCancelled':
      return { proposalId: event.data.proposalId, approvalId: event.data.approvalId, proposal: true };
    case 'ApprovalTimedOut':
      return { approvalId: event.data.approvalId, proposal: false };
    case 'EscalationLevelReached':
      return { approvalId: event.data.approvalId, proposal: true };
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionRefused':
    case 'ExecutionVerified':
    case 'CompensationProposed':
      return { executionId: event.data.executionId, proposal: true };
    default:
      return assertNever(event, 'saga event');
  }
}

/** The proposal id the approval or execution facts point at, for the host's second read. */
export function proposalIdFrom(facts: Pick<SagaFacts, 'approval' | 'execution'>): string | undefined {
  return facts.approval?.approval.proposalId ?? facts.execution?.execution.proposalId;
}

/** Events of one proposal stream, oldest first. */
export function proposalFactsOf(events: readonly RecordedEventLike[]): ProposalFacts | undefined {
  let facts: ProposalFacts | undefined;
  for (const recorded of events) {
    const event = { type: recorded.type, data: recorded.data } as RemediationProposalEvent;
    switch (event.type) {
      case 'RemediationProposed': {
        const { proposalId, proposer, investigationId, anomalyId, rationale, version, action, riskContext, dryRun } = event.data;
        facts = {
          proposalId,
          proposer,
          investigationId,
          anomalyId,
          rationale,
          ...(riskContext ? { riskContext } : {}),
          currentVersion: version,
          versions: [{ version, action, ...(dryRun ? { dryRun } : {}) }],
          assessments: [],
          status: 'open',
        };
        break;
      }
      case 'ProposalModified': {
        if (!facts) break;
        const current = actionAt(facts, event.data.previousVersion) ?? actionAt(facts, facts.currentVersion);
        if (!current) break;
        const action = { ...current, params: event.data.params };
        facts = { ...facts, currentVersion: event.data.newVersion, versions: [...facts.versions, { version: event.data.newVersion, action }] };
        break;
      }
      case 'RiskAssessed':
        if (facts) facts = { ...facts, assessments: [...facts.assessments, { version: event.data.version, tier: event.data.tier, eventId: recorded.eventId }] };
        break;
      case 'ProposalWithdrawn':
        if (facts) facts = { ...facts, status: 'withdrawn' };
        break;
      case 'ProposalSuperseded':
        if (facts) facts = { ...facts, status: 'superseded' };
        break;
      default:
        break;
    }
  }
  return facts;
}

export function approvalFactsOf(events: readonly RecordedEventLike[]): SagaFacts['approval'] {
  const state = events.reduce((s, e) => approvalDecider.evolve(s, { type: e.type, data: e.data } as ApprovalEvent), approvalDecider.initialState());
  return state.status === 'Initial' ? undefined : state;
}

export function executionFactsOf(events: readonly RecordedEventLike[]): SagaFacts['execution'] {
  const state = events.reduce((s, e) => executionDecider.evolve(s, { type: e.type, data: e.data } as ExecutionEvent), executionDecider.initialState());
  return state.status === 'Initial' ? undefined : state;
}

export const actionAt = (facts: ProposalFacts, version: number): RemediationAction | undefined =>
  facts.versions.find((entry) => entry.version === version)?.action;
