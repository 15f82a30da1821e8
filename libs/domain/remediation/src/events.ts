import { DomainEvent, JsonObject } from '@vigil/domain/shared';
import { RemediationAction } from './actions';
import { RiskTier } from './risk';

export interface RiskFactor {
  /** Stable name, e.g. `action-tier`, `peak-traffic`, `replicas-below-min`. */
  readonly name: string;
  readonly detail?: string;
}

export interface DryRunOutcome {
  readonly ok: boolean;
  readonly summary?: string;
  /** What the executor reported it would change (e.g. the ArgoCD sync diff). */
  readonly details?: JsonObject;
}

/**
 * Where the action lands, as the proposer measured it: the saga's risk assessor weighs the blast radius with it.
 * Every member is optional; unknown facts raise nothing.
 */
export interface ProposalRiskContext {
  readonly environment?: string;
  /** The service the action changes. */
  readonly service?: string;
  /** Pods running now. */
  readonly replicas?: number;
  /** 0..1: the service's share of the traffic entering the system. */
  readonly trafficShare?: number;
  /** Services that call it, directly or through others. */
  readonly dependents?: readonly string[];
}

export type RemediationProposed = DomainEvent<
  'RemediationProposed',
  {
    readonly proposalId: string;
    readonly action: RemediationAction;
    readonly rationale: string;
    readonly investigationId?: string;
    readonly anomalyId?: string;
    /** A user id, or `ai:<agent>` when an agent proposed it. */
    readonly proposer: string;
    readonly version: number;
    /** Absent on proposals recorded before blast-radius assessment, and on those whose proposer knew nothing. */
    readonly riskContext?: ProposalRiskContext;
    /** The executor's dry run of version 1, when the proposer ran one. */
    readonly dryRun?: DryRunOutcome;
    readonly at: string;
  }
>;

export type RiskAssessed = DomainEvent<
  'RiskAssessed',
  {
    readonly proposalId: string;
    readonly version: number;
    readonly tier: RiskTier;
    readonly factors: readonly RiskFactor[];
    readonly blastRadius?: JsonObject;
    readonly dryRun?: DryRunOutcome;
    readonly assessedBy: string;
    readonly at: string;
  }
>;

/** A new version of the action: it must be assessed again before anyone can approve it. */
export type ProposalModified = DomainEvent<
  'ProposalModified',
  {
    readonly proposalId: string;
    readonly by: string;
    /** The members the modifier changed. */
    readonly changes: JsonObject;
    /** The complete params of the new version. */
    readonly params: JsonObject;
    readonly previousVersion: number;
    readonly newVersion: number;
    /** Set when the modification came with an approver's vote. */
    readonly approvalId?: string;
    readonly at: string;
  }
>;

export type ProposalWithdrawn = DomainEvent<
  'ProposalWithdrawn',
  { readonly proposalId: string; readonly by: string; readonly reason: string; readonly at: string }
>;

export type ProposalSuperseded = DomainEvent<
  'ProposalSuperseded',
  { readonly proposalId: string; readonly supersededBy: string; readonly by: string; readonly at: string }
>;

export type RemediationProposalEvent =
  | RemediationProposed
  | RiskAssessed
  | ProposalModified
  | ProposalWithdrawn
  | ProposalSuperseded;
