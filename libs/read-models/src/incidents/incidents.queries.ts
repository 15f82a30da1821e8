import { EntityManager } from 'typeorm';
import { IncidentStatus, TimelineKind } from './incident.entity';

/** An incident's headline; instants are ISO-8601 UTC text with milliseconds. */
export interface IncidentView {
  readonly anomalyId: string;
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  readonly severity: string;
  readonly status: IncidentStatus;
  readonly source: string | null;
  readonly fingerprint: string | null;
  readonly occurrences: number;
  readonly openedAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly resolution: string | null;
  readonly latestKind: TimelineKind;
  readonly latestSummary: string;
  readonly latestAt: string | null;
  readonly entryCount: number;
  /** The anomaly leading the incident this one was grouped into by its investigation; null when it leads or stands alone. */
  readonly leadAnomalyId: string | null;
}

export interface TimelineEntryView {
  /** `"<commit>:<prepare>"` of the event: the timeline's order, and a cursor into the log. */
  readonly position: string;
  readonly at: string | null;
  readonly kind: TimelineKind;
  readonly type: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly actor: string;
  readonly summary: string;
  readonly detail: Record<string, unknown>;
}

export interface IncidentTimeline {
  /** Null when the anomaly itself was never seen but something referred to it. */
  readonly incident: IncidentView | null;
  readonly entries: readonly TimelineEntryView[];
  /** The anomalies grouped into this one's incident (it leads them), oldest first. */
  readonly grouped: readonly IncidentView[];
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const INCIDENT_COLUMNS = `
  anomaly_id AS "anomalyId", service, operation, signal, severity, status, source, fingerprint, occurrences,
  ${iso('opened_at')} AS "openedAt", ${iso('acknowledged_at')} AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy",
  ${iso('resolved_at')} AS "resolvedAt", resolved_by AS "resolvedBy", resolution, latest_kind AS "latestKind",
  latest_summary AS "latestSummary", ${iso('latest_at')} AS "latestAt", entry_count AS "entryCount", lead_anomaly_id AS "leadAnomalyId"`;

/** The incident of one anomaly and every timeline entry in log order; undefined when nothing is known about it. */
export async function incidentTimeline(manager: EntityManager, anomalyId: string): Promise<IncidentTimeline | undefined> {
  const incidents: IncidentView[] = await manager.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE anomaly_id = $1`, [anomalyId]);
  const entries: TimelineEntryView[] = await manager.query(
    `SELECT commit_position::text || ':' || seq::text AS position, ${iso('at')} AS at, kind, type, entity_type AS "entityType",
            entity_id AS "entityId", actor, summary, detail
       FROM incident_timeline WHERE anomaly_id = $1 ORDER BY commit_position, seq`,
    [anomalyId],
  );
  if (incidents.length === 0 && entries.length === 0) return undefined;
  const grouped: IncidentView[] = await manager.query(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE lead_anomaly_id = $1 AND anomaly_id <> $1 ORDER BY opened_at, anomaly_id LIMIT 500`,
    [anomalyId],
  );
  return { incident: incidents[0] ?? null, entries, grouped };
}

/** Incidents, most recently opened first, optionally by status. */
export async function listIncidents(
  manager: EntityManager,
  options: { readonly status?: IncidentStatus; readonly limit?: number } = {},
): Promise<IncidentView[]> {
  return manager.query(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE ($1::text IS NULL OR status = $1) ORDER BY opened_at DESC NULLS LAST, anomaly_id LIMIT $2`,
    [options.status ?? null, options.limit ?? 200],
  );
}

/** The anomalies an investigation, proposal, approval, escalation or execution belongs to. */
export async function anomaliesOf(manager: EntityManager, entityType: string, entityId: string): Promise<string[]> {
  const rows: { anomaly_id: string }[] = await manager.query(
    `SELECT anomaly_id FROM incident_links WHERE entity_type = $1 AND entity_id = $2 ORDER BY anomaly_id`,
    [entityType, entityId],
  );
  return rows.map((r) => r.anomaly_id);
}

/** Anomalies detected (opened) at or after `from`, suppressed ones left out: the candidates of an incident group. */
export async function anomaliesOpenedSince(manager: EntityManager, from: string, options: { readonly limit?: number } = {}): Promise<IncidentView[]> {
  return manager.query(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE opened_at >= $1 AND status <> 'suppressed' ORDER BY opened_at, anomaly_id LIMIT $2`,
    [from, options.limit ?? 200],
  );
}
