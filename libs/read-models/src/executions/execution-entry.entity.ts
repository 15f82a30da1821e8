import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `awaiting_retry`: an attempt failed with `willRetry` or lost its lease; the next attempt has not started yet.
 * `failed` is terminal (ExecutionFailed with `willRetry: false`).
 */
export type ExecutionStatus = 'requested' | 'running' | 'awaiting_retry' | 'succeeded' | 'failed' | 'refused' | 'verified' | 'compensated';

/** One row per execution, following its lifecycle; `expiredLeases` feeds the sweeper. */
@Entity({ name: 'executions' })
@Index('executions_proposal', ['proposalId', 'requestedAt'])
@Index('executions_approval', ['approvalId'])
@Index('executions_running_lease', ['leaseExpiresAt'], { where: "status = 'running'" })
@Index('executions_status_time', ['status', 'requestedAt'])
export class ExecutionEntry {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'proposal_id', type: 'text' })
  proposalId!: string;

  /** Null only for an auto-approved tier. */
  @Column({ name: 'approval_id', type: 'text', nullable: true })
  approvalId!: string | null;

  @Column({ type: 'jsonb' })
  action!: { kind: string; target: string; params: Record<string, unknown> };

  @Column({ name: 'action_hash', type: 'text' })
  actionHash!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ type: 'text' })
  status!: ExecutionStatus;

  /** The latest attempt (0 before the first start). */
  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  /** The latest attempt's error (cleared by a success). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'boolean', nullable: true })
  retryable!: boolean | null;

  @Column({ name: 'will_retry', type: 'boolean', nullable: true })
  willRetry!: boolean | null;

  @Column({ name: 'refused_why', type: 'text', nullable: true })
  refusedWhy!: string | null;

  @Column({ name: 'refused_detail', type: 'text', nullable: true })
  refusedDetail!: string | null;

  @Column({ type: 'boolean', nullable: true })
  recovered!: boolean | null;

  @Column({ name: 'verification_evidence', type: 'jsonb', nullable: true })
  verificationEvidence!: Record<string, unknown> | null;

  /** CompensationProposed: `{inverse, reason, by, at}`. */
  @Column({ type: 'jsonb', nullable: true })
  compensation!: Record<string, unknown> | null;

  @Column({ name: 'compensating_execution_id', type: 'text', nullable: true })
  compensatingExecutionId!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz', nullable: true })
  requestedAt!: Date | null;

  /** Success, final failure or refusal. */
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt!: Date | null;

  @Column({ name: 'compensated_at', type: 'timestamptz', nullable: true })
  compensatedAt!: Date | null;

  @Column({ name: 'updated_commit', type: 'numeric', precision: 20 })
  updatedCommit!: string;

  @Column({ name: 'updated_position', type: 'bigint' })
  updatedPosition!: string;
}
