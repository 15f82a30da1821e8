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
