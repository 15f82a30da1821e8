import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@vigil/event-store';
import { ExecutionEvent } from '@vigil/domain/execution';
import { Projection } from '../projection-runner/projection';
import { PositionColumns, Recorded, classify, ignoreUnknown, inLogOrder, instant, isNewFor, loadRows, positionOf, upsertRows } from '../incidents/projection-support';
import { ExecutionStatus } from './execution-entry.entity';

export interface ExecutionRow extends PositionColumns {
  id: string;
  proposal_id: string;
  approval_id: string | null;
  action: unknown;
  action_hash: string;
  idempotency_key: string;
  max_attempts: number;
  requested_by: string;
  status: ExecutionStatus;
  attempt: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  started_at: string | null;
  result: unknown;
  error: string | null;
  retryable: boolean | null;
  will_retry: boolean | null;
  refused_why: string | null;
  refused_detail: string | null;
  recovered: boolean | null;
  verification_evidence: unknown;
  compensation: unknown;
  compensating_execution_id: string | null;
  requested_at: string | null;
  finished_at: string | null;
  verified_at: string | null;
  compensated_at: string | null;
}

const EXECUTION_COLUMNS: readonly (keyof ExecutionRow)[] = [
  'id',
  'proposal_id',
  'approval_id',
  'action',
  'action_hash',
  'idempotency_key',
  'max_attempts',
  'requested_by',
  'status',
  'attempt',
  'lease_owner',
  'lease_expires_at',
  'started_at',
  'result',
  'error',
  'retryable',
  'will_retry',
  'refused_why',
  'refused_detail',
  'recovered',
  'verification_evidence',
  'compensation',
  'compensating_execution_id',
  'requested_at',
  'finished_at',
  'verified_at',
  'compensated_at',
  'updated_commit',
  'updated_position',
];

/** The next state of one execution row; `undefined` when the event changes nothing (or comes too early). */
export function evolveExecutionRow(row: ExecutionRow | undefined, event: Recorded<ExecutionEvent>): ExecutionRow | undefined {
  if (row && !isNewFor(row, event)) return undefined;
  if (event.type === 'ExecutionRequested') {
    if (row) return undefined;
    const { executionId, proposalId, approvalId, action, actionHash, idempotencyKey, maxAttempts, requestedBy, at } = event.data;
    return {
      id: executionId,
      proposal_id: proposalId,
      approval_id: approvalId ?? null,
      action: { kind: action.kind, target: action.target, params: action.params },
      action_hash: actionHash,
      idempotency_key: idempotencyKey,
      max_attempts: maxAttempts,
      requested_by: requestedBy,
      status: 'requested',
      attempt: 0,
      lease_owner: null,
      lease_expires_at: null,
      started_at: null,
      result: null,
      error: null,
      retryable: null,
      will_retry: null,
      refused_why: null,
      refused_detail: null,
      recovered: null,
      verification_evidence: null,
      compensation: null,
      compensating_execution_id: null,
      requested_at: instant(at),
      finished_at: null,
      verified_at: null,
      compensated_at: null,
      ...positionOf(event),
    };
  }
  if (!row) return undefined;
  const next: ExecutionRow = { ...row, ...positionOf(event) };
  switch (event.type) {
    case 'ExecutionStarted':
    case 'LeaseRenewed': {
      const { attempt, leaseOwner, leaseExpiresAt, at } = event.data;
      if (attempt < row.attempt) return undefined;
      next.status = 'running';
      next.attempt = attempt;
      next.lease_owner = leaseOwner;
      next.lease_expires_at = instant(leaseExpiresAt);
      if (event.type === 'ExecutionStarted') next.started_at = instant(at);
      return next;
    }
    case 'ExecutionLeaseExpired':
      if (event.data.attempt !== row.attempt || row.status !== 'running') return undefined;
      next.status = 'awaiting_retry';
      next.error = 'lease expired';
      next.retryable = true;
      return next;
    case 'ExecutionSucceeded':
      next.status = 'succeeded';
      next.attempt = Math.max(row.attempt, event.data.attempt);
      next.result = event.data.result;
      next.error = null;
      next.retryable = null;
      next.will_retry = null;
      next.finished_at = instant(event.data.at);
      return next;
    case 'ExecutionFailed': {
      const { attempt, error, retryable, willRetry, at } = event.data;
      next.status = willRetry ? 'awaiting_retry' : 'failed';
      next.attempt = Math.max(row.attempt, attempt);
      next.error = error;
      next.retryable = retryable;
      next.will_retry = willRetry;
      if (!willRetry) next.finished_at = instant(at);
      return next;
    }
    case 'ExecutionRefused':
      next.status = 'refused';
      next.refused_why = event.data.why;
      next.refused_detail = event.data.detail ?? null;
      next.finished_at = instant(event.data.at);
      return next;
    case 'ExecutionVerified':
      if (row.status === 'succeeded') next.status = 'verified';
      next.recovered = event.data.recovered;
      next.verification_evidence = event.data.evidence ?? null;
      next.verified_at = instant(event.data.at);
      return next;
    case 'CompensationProposed': {
      const { inverse, reason, by, at } = event.data;
      next.compensation = { inverse, reason, by, at };
      return next;
    }
    case 'ExecutionCompensated':
      next.status = 'compensated';
      next.compensating_execution_id = event.data.compensatingExecutionId;
      next.compensated_at = instant(event.data.at);
      return next;
    default:
      ignoreUnknown(event);
      return undefined;
  }
}

/** Executions: one row per execution, loaded once per batch, folded in global order, written back in one statement. */
export const executionsProjection: Projection = {
  name: 'executions',
  tables: ['executions'],
  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const mine: Recorded<ExecutionEvent>[] = [];
    for (const event of inLogOrder(events)) {
      const classified = classify(event);
      if (classified?.aggregate === 'execution') mine.push(classified.event);
    }
    if (mine.length === 0) return;
    const rows = new Map<string, ExecutionRow>();
    const ids = [...new Set(mine.map((e) => e.data.executionId))];
    for (const row of await loadRows<ExecutionRow>(manager, 'executions', 't.id = ANY($1::text[])', [ids])) rows.set(row.id, row);
    const dirty = new Set<string>();
    for (const event of mine) {
      const next = evolveExecutionRow(rows.get(event.data.executionId), event);
      if (!next) continue;
      rows.set(next.id, next);
      dirty.add(next.id);
    }
    await upsertRows(manager, 'executions', EXECUTION_COLUMNS, ['id'], [...dirty].sort().map((id) => rows.get(id)!), { guarded: true });
  },
};
