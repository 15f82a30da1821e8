import { AnomalyEvent } from '@vigil/domain/anomaly';
import { ApprovalEvent } from '@vigil/domain/approval';
import { EscalationEvent, NotifyTarget } from '@vigil/domain/escalation';
import { ExecutionEvent } from '@vigil/domain/execution';
import { InvestigationEvent } from '@vigil/domain/investigation';
import { RemediationProposalEvent } from '@vigil/domain/remediation';
import { TimelineKind } from './incident.entity';
import { ClassifiedEvent, ignoreUnknown } from './projection-support';

/** How an event reads on the incident timeline; `undefined` for events the timeline leaves out (lease heartbeats). */
export interface TimelineText {
  readonly kind: TimelineKind;
  readonly summary: string;
}

// Every text is a pure function of the event: a rebuild writes the same words.
export function timelineText(classified: ClassifiedEvent): TimelineText | undefined {
  switch (classified.aggregate) {
    case 'anomaly':
      return { kind: 'anomaly', summary: anomalyText(classified.event) };
    case 'investigation':
      return investigationText(classified.event);
    case 'proposal':
      return proposalText(classified.event);
    case 'approval':
      return approvalText(classified.event);
    case 'escalation':
      return { kind: 'escalation', summary: escalationText(classified.event) };
    case 'execution':
      return executionText(classified.event);
    default:
      ignoreUnknown(classified);
      return undefined;
  }
}

function anomalyText(event: AnomalyEvent): string {
  switch (event.type) {
    case 'AnomalyDetected': {
      const { severity, service, operation, signal, actual, expected, source } = event.data;
      return `${severity} anomaly on ${service} ${operation}: ${signal} at ${actual} (expected ${expected})${source ? ` from ${source}` : ''}`;
    }
    case 'AnomalyUpdated':
      return `Seen again (${event.data.occurrences} occurrences): ${event.data.severity}, ${event.data.actual} (expected ${event.data.expected})`;
    case 'AnomalyEscalatedSeverity':
      return `Severity raised from ${event.data.from} to ${event.data.to} by ${event.data.by}${event.data.reason ? `: ${event.data.reason}` : ''}`;
    case 'AnomalyAcknowledged':
      return `Acknowledged by ${event.data.by}`;
    case 'AnomalySuppressed':
      return `Suppressed by ${event.data.by} (silence ${event.data.silenceId})`;
    case 'AnomalyResolved':
      return `Resolved (${event.data.how}) by ${event.data.by}${event.data.note ? `: ${event.data.note}` : ''}`;
    default:
      ignoreUnknown(event);
      return (event as { type: string }).type;
  }
}

function investigationText(event: InvestigationEvent): TimelineText | undefined {
  switch (event.type) {
    case 'InvestigationOpened':
      return { kind: 'investigation', summary: `Investigation opened by ${event.data.openedBy}` };
    case 'FindingRecorded':
      return { kind: 'finding', summary: `${event.data.kind} finding (score ${event.data.score}): ${event.data.summary}` };
    case 'InvestigationConcluded': {
      const top = [...event.data.hypotheses].sort((a, b) => a.rank - b.rank)[0];
      return {
        kind: 'investigation',
        summary: top
          ? `Investigation concluded by ${event.data.concludedBy}: ${top.summary} (confidence ${top.confidence})`
          : `Investigation concluded by ${event.data.concludedBy} without a hypothesis`,
      };
    }
    case 'TicketLinked':
      return { kind: 'investigation', summary: `Ticket ${event.data.jiraKey} linked by ${event.data.by}` };
    case 'RejectionFeedbackRecorded':
      return { kind: 'investigation', summary: `${event.data.rejectedBy} rejected proposal ${event.data.proposalId}: ${event.data.reason}` };
    default:
      ignoreUnknown(event);
      return undefined;
  }
}

function proposalText(event: RemediationProposalEvent): TimelineText | undefined {
  switch (event.type) {
    case 'RemediationProposed': {
      const { proposer, action, version, rationale } = event.data;
      return { kind: 'proposal', summary: `${proposer} proposed ${action.kind} on ${action.target} (v${version}): ${rationale}` };
    }
    case 'RiskAssessed': {
      const { version, tier, factors, dryRun } = event.data;
      const named = factors.map((f) => f.name).join(', ');
      const dry = dryRun ? `; dry run ${dryRun.ok ? 'ok' : 'failed'}` : '';
      return { kind: 'risk', summary: `v${version} assessed ${tier} risk${named ? ` (${named})` : ''}${dry}` };
    }
    case 'ProposalModified':
      return { kind: 'proposal', summary: `${event.data.by} modified the proposal: v${event.data.previousVersion} → v${event.data.newVersion}` };
    case 'ProposalWithdrawn':
      return { kind: 'proposal', summary: `Proposal withdrawn by ${event.data.by}: ${event.data.reason}` };
    case 'ProposalSuperseded':
      return { kind: 'proposal', summary: `Proposal superseded by ${event.data.supersededBy}` };
    default:
      ignoreUnknown(event);
      return undefined;
  }
}

function approvalText(event: ApprovalEvent): TimelineText | undefined {
  switch (event.type) {
    case 'ApprovalRequested': {
      const { tier, requiredRoles, proposalVersion, deadline } = event.data;
      const roles = requiredRoles.map((r) => r.join('|')).join(' + ');
      return { kind: 'approval', summary: `Approval requested for v${proposalVersion}: ${tier} tier, needs ${roles}, deadline ${deadline}` };
    }
    case 'VoteCast': {
      const { by, decision, reason, modifications } = event.data;
      const how = modifications ? `${decision} with modifications` : decision;
      return { kind: 'vote', summary: `${by} voted ${how}${reason ? `: ${reason}` : ''}` };
    }
    case 'VoteRefused':
      return { kind: 'vote', summary: `Vote by ${event.data.by} refused (${event.data.code}): ${event.data.message}` };
    case 'ApprovalGranted':
      return { kind: 'approval', summary: `Approved by ${event.data.approvers.map((a) => a.by).join(', ')}` };
    case 'ApprovalRejected':
      return { kind: 'approval', summary: `Rejected by ${event.data.by}: ${event.data.reason}` };
    case 'ApprovalCancelled':
      return { kind: 'approval', summary: `Approval cancelled (${event.data.reason}) by ${event.data.by}${event.data.note ? `: ${event.data.note}` : ''}` };
    case 'ApprovalTimedOut':
      return { kind: 'approval', summary: `Deadline ${event.data.deadline} passed at level ${event.data.level}` };
    case 'ApprovalDeadlineExtended':
      return { kind: 'approval', summary: `Deadline extended to ${event.data.newDeadline} (level ${event.data.level})` };
    case 'ApprovalExpired':
      return { kind: 'approval', summary: `Expired at level ${event.data.level} with nobody deciding` };
    default:
      ignoreUnknown(event);
      return undefined;
  }
}

const targetText = (target: NotifyTarget) => ('role' in target ? `role ${target.role}` : `user ${target.user}`);

function escalationText(event: EscalationEvent): string {
  switch (event.type) {
    case 'EscalationStarted':
      return `Escalation started (${event.data.levels.length} levels)`;
    case 'EscalationLevelReached':
      return `Escalation level ${event.data.level} reached: notifying ${event.data.targets.map(targetText).join(', ') || 'nobody'}`;
    case 'NotificationSent':
      return `Notified ${targetText(event.data.target)} via ${event.data.channel} (level ${event.data.level})`;
    case 'NotificationFailed':
      return `Notifying ${targetText(event.data.target)} via ${event.data.channel} failed${event.data.retryable ? ' (will retry)' : ''}: ${event.data.error}`;
    case 'NotificationSuppressed':
      return `Not notifying ${targetText(event.data.target)} via ${event.data.channel} (level ${event.data.level}): silenced by ${event.data.silenceId}${event.data.reason ? ` — ${event.data.reason}` : ''}`;
    case 'EscalationStopped':
      return `Escalation stopped (${event.data.why}) by ${event.data.by}`;
    case 'EscalationExhausted':
      return `Escalation exhausted after level ${event.data.lastLevel}`;
    default:
      ignoreUnknown(event);
      return (event as { type: string }).type;
  }
}

function executionText(event: ExecutionEvent): TimelineText | undefined {
  switch (event.type) {
    case 'ExecutionRequested':
      return { kind: 'execution', summary: `Execution of ${event.data.action.kind} on ${event.data.action.target} requested by ${event.data.requestedBy}` };
    case 'ExecutionStarted':
      return { kind: 'execution', summary: `Attempt ${event.data.attempt} started by ${event.data.leaseOwner}` };
    case 'LeaseRenewed':
      return undefined; // heartbeats: the executions read model has the current lease
    case 'ExecutionLeaseExpired':
      return { kind: 'execution', summary: `Attempt ${event.data.attempt} lost its lease (${event.data.leaseOwner})` };
    case 'ExecutionSucceeded':
      return { kind: 'execution', summary: `Attempt ${event.data.attempt} succeeded` };
    case 'ExecutionFailed':
      return {
        kind: 'execution',
        summary: `Attempt ${event.data.attempt} failed${event.data.willRetry ? ' (will retry)' : ' (final)'}: ${event.data.error}`,
      };
    case 'ExecutionRefused':
      return { kind: 'execution', summary: `Execution refused (${event.data.why})${event.data.detail ? `: ${event.data.detail}` : ''}` };
    case 'ExecutionVerified':
      return { kind: 'verification', summary: event.data.recovered ? 'Verified: the signal recovered' : 'Verified: the signal did not recover' };
    case 'CompensationProposed':
      return { kind: 'execution', summary: `Compensation proposed by ${event.data.by}: ${event.data.inverse.kind} on ${event.data.inverse.target} (${event.data.reason})` };
    case 'ExecutionCompensated':
      return { kind: 'execution', summary: `Compensated by execution ${event.data.compensatingExecutionId}` };
    default:
      ignoreUnknown(event);
      return undefined;
  }
}
