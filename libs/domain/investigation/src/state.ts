import { FindingKind, RankedHypothesis } from './events';

export interface InvestigationRecord {
  readonly investigationId: string;
  readonly anomalyIds: readonly string[];
  readonly findings: readonly { readonly findingId: string; readonly kind: FindingKind; readonly score: number }[];
  readonly jiraKey?: string;
  /** Proposals rejected by approvers, with the reasons fed back. */
  readonly rejections: readonly { readonly proposalId: string; readonly reason: string }[];
}

export type InvestigationState =
  | { readonly status: 'Initial' }
  | { readonly status: 'Open'; readonly investigation: InvestigationRecord }
  | { readonly status: 'Concluded'; readonly investigation: InvestigationRecord; readonly hypotheses: readonly RankedHypothesis[] };

export const initialInvestigationState = (): InvestigationState => ({ status: 'Initial' });
