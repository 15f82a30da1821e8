import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ApprovalQueueStatus = 'pending' | 'granted' | 'rejected' | 'expired' | 'cancelled';
export type EscalationStatus = 'active' | 'stopped' | 'exhausted';

/** A vote as the queue shows it: VoteCast only (refused attempts are counted in `refusedAttempts`). */
export interface QueueVote {
  readonly by: string;
  readonly roles: readonly string[];
  readonly decision: 'approve' | 'reject';
  readonly reason: string | null;
  readonly at: string;
  /** Present when the approver changed the params (the approval is then cancelled, never granted). */
  readonly modifications?: unknown;
}

/** One row per approval: what the approval queue UI lists (pending ones by deadline) and what auditors look up. */
@Entity({ name: 'approval_queue' })
@Index('approval_queue_proposal', ['proposalId', 'proposalVersion'])
@Index('approval_queue_status_time', ['status', 'requestedAt'])
@Index('approval_queue_pending_deadline', ['deadline', 'id'], { where: "status = 'pending'" })
export class ApprovalQueueEntry {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'proposal_id', type: 'text' })
  proposalId!: string;

  @Column({ name: 'proposal_version', type: 'integer' })
  proposalVersion!: number;

  @Column({ type: 'text' })
  tier!: string;

  /** `[['sre'], ['manager']]`: one distinct person per requirement, any listed role. */
  @Column({ name: 'required_roles', type: 'jsonb' })
  requiredRoles!: string[][];

  @Column({ type: 'jsonb' })
  votes!: QueueVote[];

  @Column({ name: 'refused_attempts', type: 'integer' })
  refusedAttempts!: number;

  @Column({ type: 'text' })
  status!: ApprovalQueueStatus;

  @Column({ type: 'timestamptz', nullable: true })
  deadline!: Date | null;

  /** The escalation level the current deadline belongs to (0 until the first extension). */
  @Column({ name: 'deadline_level', type: 'integer' })
  deadlineLevel!: number;

  /** The deadline an ApprovalTimedOut was recorded for; equal to `deadline` while the saga has yet to extend it. */
  @Column({ name: 'timed_out_deadline', type: 'timestamptz', nullable: true })
  timedOutDeadline!: Date | null;

  @Column({ name: 'escalation_id', type: 'text', nullable: true })
  escalationId!: string | null;

  /** Highest level seen from ApprovalTimedOut / ApprovalDeadlineExtended / ApprovalExpired / EscalationLevelReached. */
  @Column({ name: 'escalation_level', type: 'integer' })
  escalationLevel!: number;

  @Column({ name: 'escalation_status', type: 'text', nullable: true })
  escalationStatus!: EscalationStatus | null;

  @Column({ name: 'action_hash', type: 'text' })
  actionHash!: string;

  /** `{kind, target, params}` of the approved proposal version; null until the proposal's events are seen. */
  @Column({ type: 'jsonb', nullable: true })
  action!: { kind: string; target: string; params: Record<string, unknown> } | null;

  @Column({ type: 'text' })
  proposer!: string;

  @Column({ name: 'anomaly_id', type: 'text', nullable: true })
  anomalyId!: string | null;

  @Column({ name: 'investigation_id', type: 'text', nullable: true })
  investigationId!: string | null;

  @Column({ type: 'text', nullable: true })
  rationale!: string | null;

  /** Evidence for the approver: the risk assessment of this version. */
  @Column({ name: 'risk_factors', type: 'jsonb', nullable: true })
  riskFactors!: { name: string; detail?: string }[] | null;

  @Column({ name: 'blast_radius', type: 'jsonb', nullable: true })
  blastRadius!: Record<string, unknown> | null;

  @Column({ name: 'dry_run', type: 'jsonb', nullable: true })
  dryRun!: { ok: boolean; summary?: string } | null;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ name: 'requested_at', type: 'timestamptz', nullable: true })
  requestedAt!: Date | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  /** Rejection reason, or the cancellation note. */
  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason!: string | null;

  /** ApprovalGranted's `[{requirement, by}]`. */
  @Column({ type: 'jsonb', nullable: true })
  approvers!: { requirement: number; by: string }[] | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  modifications!: Record<string, unknown> | null;

  @Column({ name: 'updated_commit', type: 'numeric', precision: 20 })
  updatedCommit!: string;

  @Column({ name: 'updated_position', type: 'bigint' })
  updatedPosition!: string;
}

/** Helper table fed by the remediation events: each proposal version's action and evidence, for the queue rows. */
@Entity({ name: 'proposal_versions' })
export class ProposalVersionEntry {
  @PrimaryColumn({ name: 'proposal_id', type: 'text' })
  proposalId!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  action!: { kind: string; target: string; params: Record<string, unknown> };

  @Column({ type: 'text' })
  rationale!: string;

  @Column({ type: 'text' })
  proposer!: string;

  @Column({ name: 'anomaly_id', type: 'text', nullable: true })
  anomalyId!: string | null;

  @Column({ name: 'investigation_id', type: 'text', nullable: true })
  investigationId!: string | null;

  /** When this version appeared (RemediationProposed or ProposalModified). */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt!: Date | null;

  @Column({ name: 'modified_by', type: 'text', nullable: true })
  modifiedBy!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  changes!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  tier!: string | null;

  @Column({ name: 'risk_factors', type: 'jsonb', nullable: true })
  riskFactors!: { name: string; detail?: string }[] | null;

  @Column({ name: 'blast_radius', type: 'jsonb', nullable: true })
  blastRadius!: Record<string, unknown> | null;

  @Column({ name: 'dry_run', type: 'jsonb', nullable: true })
  dryRun!: { ok: boolean; summary?: string } | null;

  @Column({ name: 'assessed_by', type: 'text', nullable: true })
  assessedBy!: string | null;

  @Column({ name: 'assessed_at', type: 'timestamptz', nullable: true })
  assessedAt!: Date | null;

  /** `open`, `withdrawn` or `superseded` (the proposal's, copied onto each of its versions). */
  @Column({ name: 'proposal_status', type: 'text' })
  proposalStatus!: string;

  @Column({ name: 'updated_commit', type: 'numeric', precision: 20 })
  updatedCommit!: string;

  @Column({ name: 'updated_position', type: 'bigint' })
  updatedPosition!: string;
}
