import { DomainCommand, JsonObject } from '@vigil/domain/shared';
import { RemediationAction } from './actions';
import { DryRunOutcome, ProposalRiskContext, RiskFactor } from './events';
import { RiskTier } from './risk';

/** The proposer is `metadata.actor` (a user id or `ai:<agent>`). */
export type ProposeRemediation = DomainCommand<
  'ProposeRemediation',
  {
    readonly proposalId: string;
    readonly action: RemediationAction;
    readonly rationale: string;
    readonly investigationId?: string;
    readonly anomalyId?: string;
    /** What the proposer knows of where the action lands (blast radius). */
    readonly riskContext?: ProposalRiskContext;
    /** The executor's dry run of the action. */
    readonly dryRun?: DryRunOutcome;
  }
>;

/** Records the tier the policy (and the risk factors) gave this exact version. */
export type AssessRisk = DomainCommand<
  'AssessRisk',
  {
    readonly proposalId: string;
    readonly version: number;
    readonly tier: RiskTier;
    readonly factors: readonly RiskFactor[];
    readonly blastRadius?: JsonObject;
    readonly dryRun?: DryRunOutcome;
  }
>;

/** `changes` are shallow-merged into the params of `baseVersion`, which must still be the current version. */
export type ModifyProposal = DomainCommand<
  'ModifyProposal',
  { readonly proposalId: string; readonly baseVersion: number; readonly changes: JsonObject; readonly approvalId?: string }
>;

export type WithdrawProposal = DomainCommand<'WithdrawProposal', { readonly proposalId: string; readonly reason: string }>;

export type SupersedeProposal = DomainCommand<
  'SupersedeProposal',
  { readonly proposalId: string; readonly supersededBy: string }
>;

export type RemediationProposalCommand =
  | ProposeRemediation
  | AssessRisk
  | ModifyProposal
  | WithdrawProposal
  | SupersedeProposal;
