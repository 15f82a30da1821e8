import { EntityManager } from 'typeorm';
import { ApprovalQueueStatus, EscalationStatus, QueueVote } from './approval-queue.entity';

/** An approval as the queue UI shows it; instants are ISO-8601 UTC text with milliseconds. */
export interface ApprovalQueueItem {
  readonly approvalId: string;
  readonly proposalId: string;
  readonly proposalVersion: number;
  readonly tier: string;
  readonly requiredRoles: readonly (readonly string[])[];
  readonly votes: readonly QueueVote[];
  readonly refusedAttempts: number;
  readonly status: ApprovalQueueStatus;
  readonly deadline: string | null;
  readonly deadlineLevel: number;
  readonly timedOut: boolean;
  readonly escalationId: string | null;
  readonly escalationLevel: number;
  readonly escalationStatus: EscalationStatus | null;
  readonly actionHash: string;
  readonly action: { readonly kind: string; readonly target: string; readonly params: Record<string, unknown> } | null;
  readonly proposer: string;
  readonly anomalyId: string | null;
  readonly investigationId: string | null;
  readonly rationale: string | null;
  readonly riskFactors: readonly { readonly name: string; readonly detail?: string }[] | null;
  readonly blastRadius: Record<string, unknown> | null;
  readonly dryRun: { readonly ok: boolean; readonly summary?: string } | null;
  readonly requestedBy: string;
  readonly requestedAt: string | null;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly approvers: readonly { readonly requirement: number; readonly by: string }[] | null;
  readonly cancelReason: string | null;
  readonly modifications: Record<string, unknown> | null;
}

export interface PendingApprovalDeadline {
  readonly approvalId: string;
  /** The current deadline (ISO-8601 UTC): when the saga's timer for this approval must fire. */
  readonly deadline: string;
  /** The escalation level the deadline belongs to (what `ApprovalTimedOut.level` will say). */
  readonly level: number;
  /** True when an ApprovalTimedOut was already recorded for this deadline: escalate or expire, don't re-arm. */
  readonly timedOut: boolean;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const ITEM_COLUMNS = `
  id AS "approvalId", proposal_id AS "proposalId", proposal_version AS "proposalVersion", tier,
  required_roles AS "requiredRoles", votes, refused_attempts AS "refusedAttempts", status,
  ${iso('deadline')} AS deadline, deadline_level AS "deadlineLevel",
  (timed_out_deadline IS NOT NULL AND timed_out_deadline = deadline) AS "timedOut",
  escalation_id AS "escalationId", escalation_level AS "escalationLevel", escalation_status AS "escalationStatus",
  action_hash AS "actionHash", action, proposer, anomaly_id AS "anomalyId", investigation_id AS "investigationId",
  rationale, risk_factors AS "riskFactors", blast_radius AS "blastRadius", dry_run AS "dryRun",
  requested_by AS "requestedBy", ${iso('requested_at')} AS "requestedAt", ${iso('decided_at')} AS "decidedAt",
  decided_by AS "decidedBy", decision_reason AS "decisionReason", approvers, cancel_reason AS "cancelReason", modifications`;

/** What the approval queue shows: pending approvals, soonest deadline first. */
export async function pendingApprovals(manager: EntityManager, options: { readonly limit?: number } = {}): Promise<ApprovalQueueItem[]> {
  return manager.query(
    `SELECT ${ITEM_COLUMNS} FROM approval_queue WHERE status = 'pending' ORDER BY deadline ASC NULLS LAST, id LIMIT $1`,
    [options.limit ?? 500],
  );
}

export async function approvalQueueItem(manager: EntityManager, approvalId: string): Promise<ApprovalQueueItem | undefined> {
  const rows: ApprovalQueueItem[] = await manager.query(`SELECT ${ITEM_COLUMNS} FROM approval_queue WHERE id = $1`, [approvalId]);
  return rows[0];
}

/** Every approval of a proposal (all versions), oldest request first. */
export async function approvalsByProposal(manager: EntityManager, proposalId: string): Promise<ApprovalQueueItem[]> {
  return manager.query(`SELECT ${ITEM_COLUMNS} FROM approval_queue WHERE proposal_id = $1 ORDER BY requested_at, id`, [proposalId]);
}

/**
 * The deadline of every pending approval, for the saga host's reconciler to re-create its timers (e.g. after
 * Redis was lost). Ordered by deadline.
 */
export async function pendingApprovalDeadlines(manager: EntityManager): Promise<PendingApprovalDeadline[]> {
  return manager.query(
    `SELECT id AS "approvalId", ${iso('deadline')} AS deadline, deadline_level AS level,
            (timed_out_deadline IS NOT NULL AND timed_out_deadline = deadline) AS "timedOut"
       FROM approval_queue WHERE status = 'pending' AND deadline IS NOT NULL ORDER BY deadline, id`,
  );
}
