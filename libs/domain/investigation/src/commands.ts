import { DomainCommand, JsonObject } from '@vigil/domain/shared';
import { FindingKind, Hypothesis, IncidentGrouping } from './events';

export type OpenInvestigation = DomainCommand<'OpenInvestigation', { readonly investigationId: string; readonly anomalyIds: readonly string[] }>;

/** Recording the same `findingId` twice appends nothing. */
export type RecordFinding = DomainCommand<
  'RecordFinding',
  {
    readonly investigationId: string;
    readonly findingId: string;
    readonly kind: FindingKind;
    readonly summary: string;
    readonly evidence: JsonObject;
    readonly score: number;
  }
>;

/** Hypotheses in any order; the conclusion ranks them by confidence. */
export type ConcludeInvestigation = DomainCommand<
  'ConcludeInvestigation',
  { readonly investigationId: string; readonly hypotheses: readonly Hypothesis[]; readonly incident?: IncidentGrouping }
>;

export type LinkTicket = DomainCommand<'LinkTicket', { readonly investigationId: string; readonly jiraKey: string }>;

export type RecordRejectionFeedback = DomainCommand<
  'RecordRejectionFeedback',
  { readonly investigationId: string; readonly proposalId: string; readonly approvalId?: string; readonly rejectedBy: string; readonly reason: string }
>;

export type InvestigationCommand = OpenInvestigation | RecordFinding | ConcludeInvestigation | LinkTicket | RecordRejectionFeedback;
