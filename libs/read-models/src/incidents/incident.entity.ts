import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IncidentStatus = 'open' | 'acknowledged' | 'suppressed' | 'resolved';

export const TIMELINE_KINDS = [
  'anomaly',
  'investigation',
  'finding',
  'proposal',
  'risk',
  'approval',
  'vote',
  'escalation',
  'execution',
  'verification',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One row per anomaly: the incident's headline. */
@Entity({ name: 'incidents' })
@Index('incidents_status_opened', ['status', 'openedAt'])
@Index('incidents_service_opened', ['service', 'openedAt'])
export class IncidentEntry {
  @PrimaryColumn({ name: 'anomaly_id', type: 'text' })
  anomalyId!: string;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  operation!: string;

  @Column({ type: 'text' })
  signal!: string;

  @Column({ type: 'text' })
  severity!: string;

  @Column({ type: 'text' })
  status!: IncidentStatus;

  /** `detector` or the external alert source. */
  @Column({ type: 'text', nullable: true })
  source!: string | null;

  @Column({ type: 'text', nullable: true })
  fingerprint!: string | null;

  @Column({ type: 'integer' })
  occurrences!: number;

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'text', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy!: string | null;

  /** `recovered`, `remediated`, `manual`, `false-positive`. */
  @Column({ type: 'text', nullable: true })
  resolution!: string | null;

  @Column({ name: 'latest_kind', type: 'text' })
  latestKind!: TimelineKind;

  @Column({ name: 'latest_summary', type: 'text' })
  latestSummary!: string;

  @Column({ name: 'latest_at', type: 'timestamptz', nullable: true })
  latestAt!: Date | null;

  @Column({ name: 'entry_count', type: 'integer' })
  entryCount!: number;

  /** The anomaly leading the incident this one was grouped into; null when it leads or stands alone. */
  @Column({ name: 'lead_anomaly_id', type: 'text', nullable: true })
  leadAnomalyId!: string | null;

  @Column({ name: 'updated_commit', type: 'numeric', precision: 20 })
  updatedCommit!: string;

  @Column({ name: 'updated_position', type: 'bigint' })
  updatedPosition!: string;
}

/** One row per (anomaly, event): anomaly → investigation → proposals → approvals → executions as one timeline. */
@Entity({ name: 'incident_timeline' })
@Index('incident_timeline_order', ['anomalyId', 'commitPosition', 'seq'])
export class IncidentTimelineEntry {
  @PrimaryColumn({ name: 'anomaly_id', type: 'text' })
  anomalyId!: string;

  /** The event's global position (`prepare`); with `commitPosition`, the timeline's order. */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'commit_position', type: 'numeric', precision: 20 })
  commitPosition!: string;

  /** The event's `at`. */
  @Column({ type: 'timestamptz', nullable: true })
  at!: Date | null;

  @Column({ type: 'text' })
  kind!: TimelineKind;

  /** The event type. */
  @Column({ type: 'text' })
  type!: string;

  /** The aggregate: `anomaly`, `investigation`, `proposal`, `approval`, `escalation`, `execution`. */
  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  summary!: string;

  /** The event's data as recorded. */
  @Column({ type: 'jsonb' })
  detail!: Record<string, unknown>;
}

/** Which anomalies an investigation, proposal, approval, escalation or execution belongs to. */
@Entity({ name: 'incident_links' })
@Index('incident_links_anomaly', ['anomalyId'])
export class IncidentLink {
  @PrimaryColumn({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @PrimaryColumn({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @PrimaryColumn({ name: 'anomaly_id', type: 'text' })
  anomalyId!: string;

  /** Position of the event that made the link. */
  @Column({ name: 'linked_commit', type: 'numeric', precision: 20 })
  linkedCommit!: string;

  @Column({ name: 'linked_position', type: 'bigint' })
  linkedPosition!: string;
}
