import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@vigil/event-store';
import { ApprovalEvent } from '@vigil/domain/approval';
import { EscalationEvent } from '@vigil/domain/escalation';
import { RemediationProposalEvent } from '@vigil/domain/remediation';
import { Projection } from '../projection-runner/projection';
import { PositionColumns, Recorded, classify, ignoreUnknown, inLogOrder, instant, isNewFor, loadRows, positionOf, upsertRows } from '../incidents/projection-support';
import { ApprovalQueueStatus, EscalationStatus, QueueVote } from './approval-queue.entity';

type Json = unknown;

export interface ProposalVersionRow extends PositionColumns {
  proposal_id: string;
  version: number;
  action: { kind: string; target: string; params: Json };
  rationale: string;
  proposer: string;
  anomaly_id: string | null;
  investigation_id: string | null;
  created_at: string | null;
  modified_by: string | null;
  changes: Json | null;
  tier: string | null;
  risk_factors: Json | null;
  blast_radius: Json | null;
  dry_run: Json | null;
  assessed_by: string | null;
  assessed_at: string | null;
  proposal_status: 'open' | 'withdrawn' | 'superseded';
}

export interface ApprovalQueueRow extends PositionColumns {
  id: string;
  proposal_id: string;
  proposal_version: number;
  tier: string;
  required_roles: Json;
  votes: QueueVote[];
  refused_attempts: number;
  status: ApprovalQueueStatus;
  deadline: string | null;
  deadline_level: number;
  timed_out_deadline: string | null;
  escalation_id: string | null;
  escalation_level: number;
  escalation_status: EscalationStatus | null;
  action_hash: string;
  action: Json | null;
  proposer: string;
  anomaly_id: string | null;
  investigation_id: string | null;
  rationale: string | null;
  risk_factors: Json | null;
  blast_radius: Json | null;
  dry_run: Json | null;
  requested_by: string;
  requested_at: string | null;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
  approvers: Json | null;
  cancel_reason: string | null;
  modifications: Json | null;
}

const PROPOSAL_VERSION_COLUMNS: readonly (keyof ProposalVersionRow)[] = [
  'proposal_id',
  'version',
  'action',
  'rationale',
  'proposer',
  'anomaly_id',
  'investigation_id',
  'created_at',
  'modified_by',
  'changes',
  'tier',
  'risk_factors',
  'blast_radius',
  'dry_run',
  'assessed_by',
  'assessed_at',
  'proposal_status',
  'updated_commit',
  'updated_position',
];

const APPROVAL_QUEUE_COLUMNS: readonly (keyof ApprovalQueueRow)[] = [
  'id',
  'proposal_id',
  'proposal_version',
  'tier',
  'required_roles',
  'votes',
  'refused_attempts',
  'status',
  'deadline',
  'deadline_level',
  'timed_out_deadline',
  'escalation_id',
  'escalation_level',
  'escalation_status',
  'action_hash',
  'action',
  'proposer',
  'anomaly_id',
  'investigation_id',
  'rationale',
  'risk_factors',
  'blast_radius',
  'dry_run',
  'requested_by',
  'requested_at',
  'decided_at',
  'decided_by',
  'decision_reason',
  'approvers',
  'cancel_reason',
  'modifications',
  'updated_commit',
  'updated_position',
];

const versionKey = (proposalId: string, version: number) => `${proposalId}\u0000${version}`;

/** The rows one batch touches, loaded once, folded in global order, written back once per table. */
class QueueBatch {
  readonly versions = new Map<string, ProposalVersionRow>();
  readonly approvals = new Map<string, ApprovalQueueRow>();
  readonly dirtyVersions = new Set<string>();
  readonly dirtyApprovals = new Set<string>();

  apply(event: RecordedEvent): void {
    const classified = classify(event);
    if (!classified) return;
    switch (classified.aggregate) {
      case 'proposal':
        return this.proposalEvent(classified.event);
      case 'approval':
        return this.approvalEvent(classified.event);
      case 'escalation':
        return this.escalationEvent(classified.event);
      default:
        return; // anomalies, investigations and executions are not part of the queue
    }
  }

  private proposalEvent(event: Recorded<RemediationProposalEvent>): void {
    switch (event.type) {
      case 'RemediationProposed': {
        const { proposalId, version, action, rationale, proposer, anomalyId, investigationId, at } = event.data;
        const key = versionKey(proposalId, version);
        const existing = this.versions.get(key);
        if (existing && !isNewFor(existing, event)) return;
        this.putVersion({
          proposal_id: proposalId,
          version,
          action: { kind: action.kind, target: action.target, params: action.params },
          rationale,
          proposer,
          anomaly_id: anomalyId ?? null,
          investigation_id: investigationId ?? null,
          created_at: instant(at),
          modified_by: null,
          changes: null,
          tier: null,
          risk_factors: null,
          blast_radius: null,
          dry_run: null,
          assessed_by: null,
          assessed_at: null,
          proposal_status: existing?.proposal_status ?? 'open',
          ...positionOf(event),
        });
        return;
      }
      case 'ProposalModified': {
        const { proposalId, previousVersion, newVersion, params, changes, by, at } = event.data;
        const previous = this.versions.get(versionKey(proposalId, previousVersion));
        const existing = this.versions.get(versionKey(proposalId, newVersion));
        if (!previous || (existing && !isNewFor(existing, event))) return;
        // A modification changes params only: kind and target stay those of the proposal.
        this.putVersion({
          ...previous,
          version: newVersion,
          action: { kind: previous.action.kind, target: previous.action.target, params },
          created_at: instant(at),
          modified_by: by,
          changes,
          tier: null,
          risk_factors: null,
          blast_radius: null,
          dry_run: null,
          assessed_by: null,
          assessed_at: null,
          ...positionOf(event),
        });
        return;
      }
      case 'RiskAssessed': {
        const { proposalId, version, tier, factors, blastRadius, dryRun, assessedBy, at } = event.data;
        const row = this.versions.get(versionKey(proposalId, version));
        if (!row || !isNewFor(row, event)) return;
        this.putVersion({
          ...row,
          tier,
          risk_factors: factors,
          blast_radius: blastRadius ?? null,
          dry_run: dryRun ?? null,
          assessed_by: assessedBy,
          assessed_at: instant(at),
          ...positionOf(event),
        });
        return;
      }
      case 'ProposalWithdrawn':
      case 'ProposalSuperseded': {
        const status = event.type === 'ProposalWithdrawn' ? 'withdrawn' : 'superseded';
        for (const row of [...this.versions.values()]) {
          if (row.proposal_id === event.data.proposalId && isNewFor(row, event)) this.putVersion({ ...row, proposal_status: status, ...positionOf(event) });
        }
        return;
      }
      default:
        return ignoreUnknown(event);
    }
  }

  private approvalEvent(event: Recorded<ApprovalEvent>): void {
    if (event.type === 'ApprovalRequested') {
      const { approvalId, proposalId, proposalVersion, actionHash, tier, requiredRoles, proposer, deadline, requestedBy, at } = event.data;
      const existing = this.approvals.get(approvalId);
      if (existing && !isNewFor(existing, event)) return;
      const row: ApprovalQueueRow = {
        id: approvalId,
        proposal_id: proposalId,
        proposal_version: proposalVersion,
        tier,
        required_roles: requiredRoles,
        votes: [],
        refused_attempts: 0,
        status: 'pending',
        deadline: instant(deadline),
        deadline_level: 0,
        timed_out_deadline: null,
        escalation_id: existing?.escalation_id ?? null,
        escalation_level: existing?.escalation_level ?? 0,
        escalation_status: existing?.escalation_status ?? null,
        action_hash: actionHash,
        action: null,
        proposer,
        anomaly_id: null,
        investigation_id: null,
        rationale: null,
        risk_factors: null,
        blast_radius: null,
        dry_run: null,
        requested_by: requestedBy,
        requested_at: instant(at),
        decided_at: null,
        decided_by: null,
        decision_reason: null,
        approvers: null,
        cancel_reason: null,
        modifications: null,
        ...positionOf(event),
      };
      this.putApproval(withProposal(row, this.versions.get(versionKey(proposalId, proposalVersion))));
      return;
    }
    const row = this.approvals.get(event.data.approvalId);
    if (!row || !isNewFor(row, event)) return;
    const next = { ...row, ...positionOf(event) };
    const pending = row.status === 'pending';
    switch (event.type) {
      case 'VoteCast': {
        const { by, roles, decision, reason, modifications, at } = event.data;
        if (!pending || row.votes.some((v) => v.by === by)) break;
        const vote: QueueVote = { by, roles, decision, reason: reason ?? null, at, ...(modifications ? { modifications } : {}) };
        next.votes = [...row.votes, vote];
        break;
      }
      case 'VoteRefused':
        next.refused_attempts = row.refused_attempts + 1;
        break;
      case 'ApprovalGranted':
        if (!pending) break;
        next.status = 'granted';
        next.decided_at = instant(event.data.at);
        next.approvers = event.data.approvers;
        break;
      case 'ApprovalRejected':
        if (!pending) break;
        next.status = 'rejected';
        next.decided_at = instant(event.data.at);
        next.decided_by = event.data.by;
        next.decision_reason = event.data.reason;
        break;
      case 'ApprovalCancelled':
        if (!pending) break;
        next.status = 'cancelled';
        next.decided_at = instant(event.data.at);
        next.decided_by = event.data.by;
        next.cancel_reason = event.data.reason;
        next.decision_reason = event.data.note ?? null;
        next.modifications = event.data.modifications ?? null;
        break;
      case 'ApprovalTimedOut':
        if (!pending) break;
        next.timed_out_deadline = instant(event.data.deadline);
        next.escalation_level = Math.max(row.escalation_level, event.data.level);
        break;
      case 'ApprovalDeadlineExtended':
        if (!pending) break;
        next.deadline = instant(event.data.newDeadline);
        next.deadline_level = event.data.level;
        next.escalation_level = Math.max(row.escalation_level, event.data.level);
        break;
      case 'ApprovalExpired':
        if (!pending) break;
        next.status = 'expired';
        next.decided_at = instant(event.data.at);
        next.escalation_level = Math.max(row.escalation_level, event.data.level);
        break;
      default:
        return ignoreUnknown(event);
    }
    this.putApproval(next);
  }

  private escalationEvent(event: Recorded<EscalationEvent>): void {
    switch (event.type) {
      case 'EscalationStarted':
        return this.updateApproval(event.data.approvalId, event, (row) => ({ escalation_id: event.data.escalationId, escalation_status: row.escalation_status ?? 'active' }));
      case 'EscalationLevelReached':
        return this.updateApproval(event.data.approvalId, event, (row) => ({ escalation_level: Math.max(row.escalation_level, event.data.level) }));
      case 'EscalationStopped':
        return this.updateApproval(event.data.approvalId, event, () => ({ escalation_status: 'stopped' }));
      case 'EscalationExhausted':
        return this.updateApproval(event.data.approvalId, event, (row) => ({
          escalation_status: 'exhausted',
          escalation_level: Math.max(row.escalation_level, event.data.lastLevel),
        }));
      case 'NotificationSent':
      case 'NotificationFailed':
      case 'NotificationSuppressed':
        return; // deliveries carry no approval id and change nothing the queue shows
      default:
        return ignoreUnknown(event);
    }
  }

  private updateApproval(approvalId: string, event: RecordedEvent, change: (row: ApprovalQueueRow) => Partial<ApprovalQueueRow>): void {
    const row = this.approvals.get(approvalId);
    if (!row || !isNewFor(row, event)) return;
    this.putApproval({ ...row, ...change(row), ...positionOf(event) });
  }

  private putApproval(row: ApprovalQueueRow): void {
    this.approvals.set(row.id, row);
    this.dirtyApprovals.add(row.id);
  }

  private putVersion(row: ProposalVersionRow): void {
    const key = versionKey(row.proposal_id, row.version);
    this.versions.set(key, row);
    this.dirtyVersions.add(key);
    // The approvals of this version pick up its action and evidence (a derived copy: no position change).
    for (const approval of this.approvals.values()) {
      if (approval.proposal_id === row.proposal_id && approval.proposal_version === row.version) {
        this.putApproval(withProposal(approval, row));
      }
    }
  }
}

function withProposal(row: ApprovalQueueRow, version: ProposalVersionRow | undefined): ApprovalQueueRow {
  if (!version) return row;
  return {
    ...row,
    action: version.action,
    anomaly_id: version.anomaly_id,
    investigation_id: version.investigation_id,
    rationale: version.rationale,
    risk_factors: version.risk_factors,
    blast_radius: version.blast_radius,
    dry_run: version.dry_run,
  };
}

/**
 * The approval queue: one `approval_queue` row per approval with its votes, deadline, escalation level and the
 * exact action it authorises, plus the `proposal_versions` helper the action and evidence come from.
 */
export const approvalQueueProjection: Projection = {
  name: 'approval-queue',
  tables: ['approval_queue', 'proposal_versions'],
  async apply(batchEvents: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const events = inLogOrder(batchEvents);
    const proposalIds = new Set<string>();
    const approvalIds = new Set<string>();
    for (const event of events) {
      const classified = classify(event);
      if (!classified) continue;
      if (classified.aggregate === 'proposal') proposalIds.add(classified.id);
      if (classified.aggregate === 'approval') {
        approvalIds.add(classified.id);
        if (classified.event.type === 'ApprovalRequested') proposalIds.add(classified.event.data.proposalId);
      }
      if (classified.aggregate === 'escalation') {
        const approvalId = (classified.event.data as { approvalId?: unknown }).approvalId;
        if (typeof approvalId === 'string') approvalIds.add(approvalId);
      }
    }
    if (proposalIds.size === 0 && approvalIds.size === 0) return;

    const batch = new QueueBatch();
    const proposals = [...proposalIds];
    for (const row of await loadRows<ProposalVersionRow>(manager, 'proposal_versions', 't.proposal_id = ANY($1::text[])', [proposals])) {
      batch.versions.set(versionKey(row.proposal_id, row.version), row);
    }
    for (const row of await loadRows<ApprovalQueueRow>(manager, 'approval_queue', 't.id = ANY($1::text[]) OR t.proposal_id = ANY($2::text[])', [
      [...approvalIds],
      proposals,
    ])) {
      batch.approvals.set(row.id, row);
    }

    for (const event of events) batch.apply(event);

    await upsertRows(
      manager,
      'proposal_versions',
      PROPOSAL_VERSION_COLUMNS,
      ['proposal_id', 'version'],
      [...batch.dirtyVersions].sort().map((key) => batch.versions.get(key)!),
      { guarded: true },
    );
    await upsertRows(
      manager,
      'approval_queue',
      APPROVAL_QUEUE_COLUMNS,
      ['id'],
      [...batch.dirtyApprovals].sort().map((id) => batch.approvals.get(id)!),
      { guarded: true },
    );
  },
};
