import { RemediationAction } from './actions';
import { DryRunOutcome, ProposalRiskContext, RiskFactor } from './events';
import { RiskTier } from './risk';
import { JsonObject } from '@vigil/domain/shared';

export interface ProposalRecord {
  readonly proposalId: string;
  readonly action: RemediationAction;
  readonly rationale: string;
  readonly investigationId?: string;
  readonly anomalyId?: string;
  readonly proposer: string;
  readonly version: number;
  readonly riskContext?: ProposalRiskContext;
  /** The dry run of version 1 (a modified version has not been dry-run). */
  readonly dryRun?: DryRunOutcome;
}

export interface RiskAssessment {
  readonly version: number;
  readonly tier: RiskTier;
  readonly factors: readonly RiskFactor[];
  readonly blastRadius?: JsonObject;
  readonly dryRun?: DryRunOutcome;
}

export type RemediationProposalState =
  | { readonly status: 'Initial' }
  /** Proposed or modified: this version has no risk tier yet, so nobody can approve it. */
  | { readonly status: 'AwaitingAssessment'; readonly proposal: ProposalRecord }
  | { readonly status: 'Assessed'; readonly proposal: ProposalRecord; readonly assessment: RiskAssessment }
  | { readonly status: 'Withdrawn'; readonly proposal: ProposalRecord; readonly by: string; readonly reason: string }
  | { readonly status: 'Superseded'; readonly proposal: ProposalRecord; readonly supersededBy: string };

export type OpenProposalState = Extract<RemediationProposalState, { status: 'AwaitingAssessment' | 'Assessed' }>;

export const initialRemediationProposalState = (): RemediationProposalState => ({ status: 'Initial' });
