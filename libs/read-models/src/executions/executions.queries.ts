import { EntityManager } from 'typeorm';
import { ExecutionStatus } from './execution-entry.entity';

/** An execution as the API shows it; instants are ISO-8601 UTC text with milliseconds. */
export interface ExecutionView {
  readonly executionId: string;
  readonly proposalId: string;
  readonly approvalId: string | null;
  readonly action: { readonly kind: string; readonly target: string; readonly params: Record<string, unknown> };
  readonly actionHash: string;
  readonly idempotencyKey: string;
  readonly maxAttempts: number;
  readonly requestedBy: string;
  readonly status: ExecutionStatus;
  readonly attempt: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: string | null;
  readonly startedAt: string | null;
  readonly result: Record<string, unknown> | null;
  readonly error: string | null;
  readonly retryable: boolean | null;
  readonly willRetry: boolean | null;
  readonly refusedWhy: string | null;
  readonly refusedDetail: string | null;
  readonly recovered: boolean | null;
  readonly verificationEvidence: Record<string, unknown> | null;
  readonly compensation: Record<string, unknown> | null;
  readonly compensatingExecutionId: string | null;
  readonly requestedAt: string | null;
  readonly finishedAt: string | null;
  readonly verifiedAt: string | null;
  readonly compensatedAt: string | null;
}

export interface ExpiredLease {
  readonly executionId: string;
  readonly attempt: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: string;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const VIEW_COLUMNS = `
  id AS "executionId", proposal_id AS "proposalId", approval_id AS "approvalId", action, action_hash AS "actionHash",
  idempotency_key AS "idempotencyKey", max_attempts AS "maxAttempts", requested_by AS "requestedBy", status, attempt,
  lease_owner AS "leaseOwner", ${iso('lease_expires_at')} AS "leaseExpiresAt", ${iso('started_at')} AS "startedAt",
  result, error, retryable, will_retry AS "willRetry", refused_why AS "refusedWhy", refused_detail AS "refusedDetail",
  recovered, verification_evidence AS "verificationEvidence", compensation, compensating_execution_id AS "compensatingExecutionId",
  ${iso('requested_at')} AS "requestedAt", ${iso('finished_at')} AS "finishedAt", ${iso('verified_at')} AS "verifiedAt",
  ${iso('compensated_at')} AS "compensatedAt"`;

/** Running executions whose lease ran out before `now`, oldest lease first: what the sweeper sends `ExpireLease` for. */
export async function expiredLeases(manager: EntityManager, now: Date | string, limit = 500): Promise<ExpiredLease[]> {
  return manager.query(
    `SELECT id AS "executionId", attempt, lease_owner AS "leaseOwner", ${iso('lease_expires_at')} AS "leaseExpiresAt"
       FROM executions WHERE status = 'running' AND lease_expires_at < $1::timestamptz
      ORDER BY lease_expires_at, id LIMIT $2`,
    [now instanceof Date ? now.toISOString() : now, limit],
  );
}

/** Every execution of a proposal, oldest request first. */
export async function executionsByProposal(manager: EntityManager, proposalId: string): Promise<ExecutionView[]> {
  return manager.query(`SELECT ${VIEW_COLUMNS} FROM executions WHERE proposal_id = $1 ORDER BY requested_at, id`, [proposalId]);
}

export async function executionById(manager: EntityManager, executionId: string): Promise<ExecutionView | undefined> {
  const rows: ExecutionView[] = await manager.query(`SELECT ${VIEW_COLUMNS} FROM executions WHERE id = $1`, [executionId]);
  return rows[0];
}
