import { RemediationAction } from '@vigil/domain/remediation';
import { DomainEvent, JsonObject } from '@vigil/domain/shared';

export const FINDING_KINDS = ['bubbleup', 'deployment', 'dependency', 'logs'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Hypothesis {
  readonly summary: string;
  /** 0..1 */
  readonly confidence: number;
  readonly findingIds?: readonly string[];
  /** What the investigator would do about it; the saga turns it into a proposal. */
  readonly suggestedAction?: RemediationAction;
}

export type RankedHypothesis = Hypothesis & { readonly rank: number };

/**
 * The anomalies the investigator found to be one fault, and the one nearest its cause (whose investigation proposes
 * the remediation). The investigation's own anomaly is among them.
 */
export interface IncidentGrouping {
  readonly leadAnomalyId: string;
  readonly anomalyIds: readonly string[];
}

export type InvestigationOpened = DomainEvent<
  'InvestigationOpened',
  { readonly investigationId: string; readonly anomalyIds: readonly string[]; readonly openedBy: string; readonly at: string }
>;

export type FindingRecorded = DomainEvent<
  'FindingRecorded',
  {
    readonly investigationId: string;
    readonly findingId: string;
    readonly kind: FindingKind;
    readonly summary: string;
    /** The data behind the finding: BubbleUp dimensions, the deployment, the failing dependency, log excerpts. */
    readonly evidence: JsonObject;
    /** 0..1: how strongly the evidence points at a cause. */
    readonly score: number;
    readonly recordedBy: string;
    readonly at: string;
  }
>;

export type InvestigationConcluded = DomainEvent<
  'InvestigationConcluded',
  {
    readonly investigationId: string;
    readonly hypotheses: readonly RankedHypothesis[];
    /** Absent when the investigator did not group anomalies (no service graph, or before grouping existed). */
    readonly incident?: IncidentGrouping;
    readonly concludedBy: string;
    readonly at: string;
  }
>;

export type TicketLinked = DomainEvent<'TicketLinked', { readonly investigationId: string; readonly jiraKey: string; readonly by: string; readonly at: string }>;

/** An approver rejected a proposal made from this investigation; the reason informs what to propose next. */
export type RejectionFeedbackRecorded = DomainEvent<
  'RejectionFeedbackRecorded',
  {
    readonly investigationId: string;
    readonly proposalId: string;
    readonly approvalId?: string;
    readonly rejectedBy: string;
    readonly reason: string;
    readonly at: string;
  }
>;

export type InvestigationEvent = InvestigationOpened | FindingRecorded | InvestigationConcluded | TicketLinked | RejectionFeedbackRecorded;
