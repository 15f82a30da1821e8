// Shared by the approval-queue, incidents and executions projections: typed access to the domain events, a
// position guard, and the "load the touched rows, fold the batch in memory, write them back" helpers.
import { EntityManager } from 'typeorm';
import { RecordedEvent, comparePositions } from '@vigil/event-store';
import { AnomalyEvent } from '@vigil/domain/anomaly';
import { ApprovalEvent } from '@vigil/domain/approval';
import { EscalationEvent } from '@vigil/domain/escalation';
import { ExecutionEvent } from '@vigil/domain/execution';
import { InvestigationEvent } from '@vigil/domain/investigation';
import { RemediationProposalEvent } from '@vigil/domain/remediation';
import { parseInstant } from '@vigil/domain/shared';

/** A stored event whose `type`/`data` are one of a domain union (the union distributes over the intersection). */
export type Recorded<E extends { readonly type: string; readonly data: unknown }> = Omit<RecordedEvent, 'type' | 'data'> & E;

export interface DomainEventsByAggregate {
  anomaly: AnomalyEvent;
  investigation: InvestigationEvent;
  proposal: RemediationProposalEvent;
  approval: ApprovalEvent;
  escalation: EscalationEvent;
  execution: ExecutionEvent;
}
export type Aggregate = keyof DomainEventsByAggregate;

export type ClassifiedEvent = {
  [A in Aggregate]: { readonly aggregate: A; readonly id: string; readonly event: Recorded<DomainEventsByAggregate[A]> };
}[Aggregate];

// One table per union: the compiler rejects a missing or a foreign type, so a new domain event breaks the build here.
const ANOMALY_TYPES: { readonly [T in AnomalyEvent['type']]: true } = {
  AnomalyDetected: true,
  AnomalyUpdated: true,
  AnomalyEscalatedSeverity: true,
  AnomalyAcknowledged: true,
  AnomalySuppressed: true,
  AnomalyResolved: true,
};
const INVESTIGATION_TYPES: { readonly [T in InvestigationEvent['type']]: true } = {
  InvestigationOpened: true,
  FindingRecorded: true,
  InvestigationConcluded: true,
  TicketLinked: true,
  RejectionFeedbackRecorded: true,
};
const PROPOSAL_TYPES: { readonly [T in RemediationProposalEvent['type']]: true } = {
  RemediationProposed: true,
  RiskAssessed: true,
  ProposalModified: true,
  ProposalWithdrawn: true,
  ProposalSuperseded: true,
};
const APPROVAL_TYPES: { readonly [T in ApprovalEvent['type']]: true } = {
  ApprovalRequested: true,
  VoteCast: true,
  VoteRefused: true,
  ApprovalGranted: true,
  ApprovalRejected: true,
  ApprovalCancelled: true,
  ApprovalTimedOut: true,
  ApprovalDeadlineExtended: true,
  ApprovalExpired: true,
};
const ESCALATION_TYPES: { readonly [T in EscalationEvent['type']]: true } = {
  EscalationStarted: true,
  EscalationLevelReached: true,
  NotificationSent: true,
  NotificationFailed: true,
  NotificationSuppressed: true,
  EscalationStopped: true,
  EscalationExhausted: true,
};
const EXECUTION_TYPES: { readonly [T in ExecutionEvent['type']]: true } = {
  ExecutionRequested: true,
  ExecutionStarted: true,
  LeaseRenewed: true,
  ExecutionLeaseExpired: true,
  ExecutionSucceeded: true,
  ExecutionFailed: true,
  ExecutionRefused: true,
  ExecutionVerified: true,
  CompensationProposed: true,
  ExecutionCompensated: true,
};

const AGGREGATES: readonly { readonly aggregate: Aggregate; readonly types: object; readonly idField: string }[] = [
  { aggregate: 'anomaly', types: ANOMALY_TYPES, idField: 'anomalyId' },
  { aggregate: 'investigation', types: INVESTIGATION_TYPES, idField: 'investigationId' },
  { aggregate: 'proposal', types: PROPOSAL_TYPES, idField: 'proposalId' },
  { aggregate: 'approval', types: APPROVAL_TYPES, idField: 'approvalId' },
  { aggregate: 'escalation', types: ESCALATION_TYPES, idField: 'escalationId' },
  { aggregate: 'execution', types: EXECUTION_TYPES, idField: 'executionId' },
];

/**
 * Which domain union an event belongs to, by its type, with its aggregate id. `undefined` for types of other
 * contexts and for events whose data lacks the aggregate id or `at` (nothing a projection could key on).
 */
export function classify(event: RecordedEvent): ClassifiedEvent | undefined {
  const data = event.data as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null || typeof data.at !== 'string') return undefined;
  for (const { aggregate, types, idField } of AGGREGATES) {
    if (!Object.prototype.hasOwnProperty.call(types, event.type)) continue;
    const id = data[idField];
    return typeof id === 'string' && id !== '' ? ({ aggregate, id, event } as ClassifiedEvent) : undefined;
  }
  return undefined;
}

/** The batch in global order (commit, then prepare): the fold below depends on it, whatever the reader delivered. */
export function inLogOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => comparePositions(a.position, b.position));
}

/** Compile-time exhaustiveness for a switch over a union; at run time an unknown type is ignored, not fatal. */
export function ignoreUnknown(_event: never): void {
  // A type added to the union without a case here fails to compile; a stored type unknown to this build is skipped.
}

/** The guard every row carries: the position of the last event that changed it. */
export interface PositionColumns {
  updated_commit: string;
  updated_position: string;
}

export function positionOf(event: Pick<RecordedEvent, 'position'>): PositionColumns {
  return { updated_commit: event.position.commit.toString(), updated_position: event.position.prepare.toString() };
}

/** True when `event` comes after what the row already reflects: re-applied events change nothing. */
export function isNewFor(row: PositionColumns, event: Pick<RecordedEvent, 'position'>): boolean {
  const commit = BigInt(row.updated_commit);
  if (event.position.commit !== commit) return event.position.commit > commit;
  return event.position.prepare > BigInt(row.updated_position);
}

/** An ISO instant from event data, or null when it is not one (a bad value must not wedge the projection). */
export function instant(value: unknown): string | null {
  return parseInstant(value) === undefined ? null : (value as string);
}

/** Loads rows as plain objects keyed by column name; position columns come back as exact decimal text. */
export async function loadRows<Row>(manager: EntityManager, table: string, where: string, params: unknown[]): Promise<Row[]> {
  const rows: { row: Row }[] = await manager.query(
    `SELECT to_jsonb(t) || jsonb_build_object('updated_commit', t.updated_commit::text, 'updated_position', t.updated_position::text) AS row
       FROM "${table}" t WHERE ${where}`,
    params,
  );
  return rows.map((r) => r.row);
}

/**
 * One statement for all of a batch's rows: `jsonb_populate_recordset` maps each object's keys onto the table's
 * columns (missing keys become NULL). With `guarded`, a row already at a later position is left alone.
 */
export async function upsertRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  rows: readonly object[],
  options: { guarded?: boolean; doNothing?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const list = columns.map((c) => `"${c}"`).join(', ');
  const conflict = `ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')})`;
  const updates = columns.filter((c) => !key.includes(c));
  const action =
    options.doNothing || updates.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${updates.map((c) => `"${c}" = excluded."${c}"`).join(', ')}` +
        (options.guarded
          ? ` WHERE ("${table}".updated_commit, "${table}".updated_position) <= (excluded.updated_commit, excluded.updated_position)`
          : '');
  await manager.query(`INSERT INTO "${table}" (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::"${table}", $1::jsonb) ${conflict} ${action}`, [
    JSON.stringify(rows),
  ]);
}

/** `timestamptz` as the ISO text the domain uses (`…T…Z`, milliseconds), or null. */
export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();
