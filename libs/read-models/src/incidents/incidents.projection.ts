import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@vigil/event-store';
import { AnomalyEvent } from '@vigil/domain/anomaly';
import { Projection } from '../projection-runner/projection';
import { IncidentStatus, TimelineKind } from './incident.entity';
import { Aggregate, ClassifiedEvent, PositionColumns, Recorded, classify, ignoreUnknown, inLogOrder, instant, isNewFor, loadRows, positionOf, uniqueSorted, upsertRows } from './projection-support';
import { timelineText } from './timeline-entry';

export interface IncidentRow extends PositionColumns {
  anomaly_id: string;
  service: string;
  operation: string;
  signal: string;
  severity: string;
  status: IncidentStatus;
  source: string | null;
  fingerprint: string | null;
  occurrences: number;
  opened_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  latest_kind: TimelineKind;
  latest_summary: string;
  latest_at: string | null;
  entry_count: number;
  /** The anomaly leading the incident this one was grouped into (its investigation's conclusion); null: it leads or stands alone. */
  lead_anomaly_id: string | null;
}

interface TimelineRow {
  anomaly_id: string;
  seq: string;
  commit_position: string;
  at: string | null;
  kind: TimelineKind;
  type: string;
  entity_type: Aggregate;
  entity_id: string;
  actor: string;
  summary: string;
  detail: unknown;
}

interface LinkRow {
  entity_type: Aggregate;
  entity_id: string;
  anomaly_id: string;
  linked_commit: string;
  linked_position: string;
}

const INCIDENT_COLUMNS: readonly (keyof IncidentRow)[] = [
  'anomaly_id',
  'service',
  'operation',
  'signal',
  'severity',
  'status',
  'source',
  'fingerprint',
  'occurrences',
  'opened_at',
  'acknowledged_at',
  'acknowledged_by',
  'resolved_at',
  'resolved_by',
  'resolution',
  'latest_kind',
  'latest_summary',
  'latest_at',
  'entry_count',
  'updated_commit',
  'updated_position',
  'lead_anomaly_id',
];
const TIMELINE_COLUMNS: readonly (keyof TimelineRow)[] = [
  'anomaly_id',
  'seq',
  'commit_position',
  'at',
  'kind',
  'type',
  'entity_type',
  'entity_id',
  'actor',
  'summary',
  'detail',
];
const LINK_COLUMNS: readonly (keyof LinkRow)[] = ['entity_type', 'entity_id', 'anomaly_id', 'linked_commit', 'linked_position'];

const linkKey = (entityType: Aggregate, entityId: string) => `${entityType}\u0000${entityId}`;

/** The entity whose links an event needs before it can be placed: its own, and for a first event its parent's. */
function linkKeysNeeded(c: ClassifiedEvent): string[] {
  const keys = [linkKey(c.aggregate, c.id)];
  const e = c.event;
  if (e.type === 'RemediationProposed' && e.data.investigationId) keys.push(linkKey('investigation', e.data.investigationId));
  if (e.type === 'ApprovalRequested' || e.type === 'ExecutionRequested') keys.push(linkKey('proposal', e.data.proposalId));
  if (e.type === 'EscalationStarted') keys.push(linkKey('approval', e.data.approvalId));
  return keys;
}

/** An investigation's conclusion that grouped its anomaly: the lead, or null when this anomaly leads. */
function groupingOf(e: ClassifiedEvent['event'], anomalyId: string): Pick<IncidentRow, 'lead_anomaly_id'> | Record<string, never> {
  if (e.type !== 'InvestigationConcluded' || !e.data.incident) return {};
  return { lead_anomaly_id: e.data.incident.leadAnomalyId === anomalyId ? null : e.data.incident.leadAnomalyId };
}

class IncidentBatch {
  readonly links = new Map<string, Set<string>>();
  readonly incidents = new Map<string, IncidentRow>();
  readonly dirtyIncidents = new Set<string>();
  readonly newLinks: LinkRow[] = [];
  readonly entries: TimelineRow[] = [];

  /** The anomalies an event belongs to; a first event (opened, proposed, requested, started) records its entity's links. */
  anomaliesOf(c: ClassifiedEvent): string[] {
    const e = c.event;
    switch (e.type) {
      case 'InvestigationOpened':
        return this.link(c, e.data.anomalyIds);
      case 'RemediationProposed':
        return this.link(c, [...(e.data.anomalyId ? [e.data.anomalyId] : []), ...(e.data.investigationId ? this.linked('investigation', e.data.investigationId) : [])]);
      case 'ApprovalRequested':
      case 'ExecutionRequested':
        return this.link(c, this.linked('proposal', e.data.proposalId));
      case 'EscalationStarted':
        return this.link(c, this.linked('approval', e.data.approvalId));
      default:
        return c.aggregate === 'anomaly' ? [c.id] : this.linked(c.aggregate, c.id);
    }
  }

  private linked(entityType: Aggregate, entityId: string): string[] {
    return uniqueSorted(this.links.get(linkKey(entityType, entityId)) ?? []);
  }

  private link(c: ClassifiedEvent, anomalyIds: readonly string[]): string[] {
    const key = linkKey(c.aggregate, c.id);
    const set = this.links.get(key) ?? new Set<string>();
    this.links.set(key, set);
    for (const anomalyId of uniqueSorted(anomalyIds)) {
      if (set.has(anomalyId)) continue;
      set.add(anomalyId);
      this.newLinks.push({ entity_type: c.aggregate, entity_id: c.id, anomaly_id: anomalyId, linked_commit: c.event.position.commit.toString(), linked_position: c.event.position.prepare.toString() });
    }
    return uniqueSorted(set);
  }

  apply(c: ClassifiedEvent, anomalyIds: readonly string[]): void {
    const text = timelineText(c);
    if (!text) return;
    const e = c.event;
    const at = instant((e.data as { at?: unknown }).at);
    const headline = { latest_kind: text.kind, latest_summary: text.summary, latest_at: at, ...positionOf(e) };
    if (c.aggregate === 'anomaly') this.anomalyEvent(c.event, headline);
    for (const anomalyId of anomalyIds) {
      this.entries.push({
        anomaly_id: anomalyId,
        seq: e.position.prepare.toString(),
        commit_position: e.position.commit.toString(),
        at,
        kind: text.kind,
        type: e.type,
        entity_type: c.aggregate,
        entity_id: c.id,
        actor: e.metadata.actor,
        summary: text.summary,
        detail: e.data,
      });
      const row = this.incidents.get(anomalyId);
      if (c.aggregate !== 'anomaly' && row && isNewFor(row, e)) this.put({ ...row, ...headline, ...groupingOf(e, anomalyId), entry_count: row.entry_count + 1 });
    }
  }

  private anomalyEvent(event: Recorded<AnomalyEvent>, headline: Pick<IncidentRow, 'latest_kind' | 'latest_summary' | 'latest_at' | keyof PositionColumns>): void {
    const row = this.incidents.get(event.data.anomalyId);
    if (event.type === 'AnomalyDetected') {
      if (row) return; // already opened (a re-applied batch)
      const { anomalyId, service, operation, signal, severity, source, fingerprint, at } = event.data;
      this.put({
        anomaly_id: anomalyId,
        service,
        operation,
        signal,
        severity,
        status: 'open',
        source: source ?? null,
        fingerprint: fingerprint ?? null,
        occurrences: 1,
        opened_at: instant(at),
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        resolved_by: null,
        resolution: null,
        entry_count: 1,
        lead_anomaly_id: null,
        ...headline,
      });
      return;
    }
    if (!row || !isNewFor(row, event)) return;
    const next = { ...row, ...headline, entry_count: row.entry_count + 1 };
    switch (event.type) {
      case 'AnomalyUpdated':
        next.severity = event.data.severity;
        next.occurrences = event.data.occurrences;
        break;
      case 'AnomalyEscalatedSeverity':
        next.severity = event.data.to;
        break;
      case 'AnomalyAcknowledged':
        if (row.status === 'open') next.status = 'acknowledged';
        next.acknowledged_at = instant(event.data.at);
        next.acknowledged_by = event.data.by;
        break;
      case 'AnomalySuppressed':
        if (row.status !== 'resolved') next.status = 'suppressed';
        break;
      case 'AnomalyResolved':
        next.status = 'resolved';
        next.resolved_at = instant(event.data.at);
        next.resolved_by = event.data.by;
        next.resolution = event.data.how;
        break;
      default:
        return ignoreUnknown(event);
    }
    this.put(next);
  }

  private put(row: IncidentRow): void {
    this.incidents.set(row.anomaly_id, row);
    this.dirtyIncidents.add(row.anomaly_id);
  }
}

/**
 * Incidents: per anomaly, a headline row (`incidents`) and a timeline (`incident_timeline`) of everything done
 * about it. `incident_links` records which anomalies each investigation, proposal, approval, escalation and
 * execution belongs to, so a later event finds its anomalies by key (loaded once per batch, extended in order).
 */
export const incidentsProjection: Projection = {
  name: 'incidents',
  tables: ['incidents', 'incident_timeline', 'incident_links'],
  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const classified = inLogOrder(events).map(classify).filter((c): c is ClassifiedEvent => c !== undefined);
    if (classified.length === 0) return;
    const batch = new IncidentBatch();

    const keys = uniqueSorted(classified.flatMap(linkKeysNeeded));
    const known: LinkRow[] = await manager.query(
      `SELECT l.entity_type, l.entity_id, l.anomaly_id FROM incident_links l
         JOIN unnest($1::text[], $2::text[]) AS k(entity_type, entity_id) ON l.entity_type = k.entity_type AND l.entity_id = k.entity_id`,
      [keys.map((k) => k.split('\u0000')[0]), keys.map((k) => k.split('\u0000')[1])],
    );
    for (const link of known) {
      const key = linkKey(link.entity_type, link.entity_id);
      batch.links.set(key, (batch.links.get(key) ?? new Set()).add(link.anomaly_id));
    }

    // Placing an event needs only links made by earlier events, so anomalies can be resolved up front…
    const placed = classified.map((c) => ({ c, anomalyIds: batch.anomaliesOf(c) }));
    const anomalyIds = uniqueSorted(placed.flatMap((p) => p.anomalyIds));
    for (const row of await loadRows<IncidentRow>(manager, 'incidents', 't.anomaly_id = ANY($1::text[])', [anomalyIds])) batch.incidents.set(row.anomaly_id, row);
    // …and the headline rows folded in order once loaded.
    for (const { c, anomalyIds: ids } of placed) batch.apply(c, ids);

    await upsertRows(manager, 'incident_links', LINK_COLUMNS, ['entity_type', 'entity_id', 'anomaly_id'], batch.newLinks, { doNothing: true });
    await upsertRows(manager, 'incident_timeline', TIMELINE_COLUMNS, ['anomaly_id', 'seq'], batch.entries, { doNothing: true });
    await upsertRows(
      manager,
      'incidents',
      INCIDENT_COLUMNS,
      ['anomaly_id'],
      [...batch.dirtyIncidents].sort().map((id) => batch.incidents.get(id)!),
      { guarded: true },
    );
  },
};
