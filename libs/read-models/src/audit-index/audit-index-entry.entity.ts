import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row per event: lets auditors find events by actor, entity and time without scanning the log. */
@Entity({ name: 'audit_index' })
@Index(['actor', 'recordedAt'])
@Index(['entityType', 'recordedAt'])
export class AuditIndexEntry {
  @PrimaryColumn({ name: 'global_position', type: 'bigint' })
  globalPosition!: string;

  @Column({ name: 'commit_position', type: 'numeric', precision: 20 })
  commitPosition!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'stream_id', type: 'text' })
  streamId!: string;

  @Column({ name: 'stream_version', type: 'bigint' })
  streamVersion!: string;

  /** Stream prefix: `approval-42` → `approval`. */
  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
