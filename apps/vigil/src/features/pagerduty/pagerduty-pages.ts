import { Pool } from 'pg';

export interface PagerDutyPage {
  readonly dedupKey: string;
  readonly routingKeyName: string;
  readonly state: 'queued' | 'triggered' | 'failed';
  readonly acknowledgedAt: string | null;
  readonly resolvedAt: string | null;
}

/** Which routing keys were paged for an incident (`pagerduty_pages`), so acknowledge and resolve reach each of them. */
export class PagerDutyPages {
  constructor(private readonly pool: Pool) {}

  async triggered(dedupKey: string, routingKeyName: string, anomalyId: string | undefined, now: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO pagerduty_pages (dedup_key, routing_key_name, anomaly_id, state, queued_at, triggered_at) VALUES ($1, $2, $3, 'triggered', $4, $4)
       ON CONFLICT (dedup_key, routing_key_name) DO UPDATE SET state = 'triggered', triggered_at = $4, acknowledged_at = NULL, resolved_at = NULL`,
      [dedupKey, routingKeyName, anomalyId ?? null, now],
    );
  }

  async of(dedupKey: string): Promise<PagerDutyPage[]> {
    const { rows } = await this.pool.query<{ dedup_key: string; routing_key_name: string; state: PagerDutyPage['state']; acknowledged_at: Date | null; resolved_at: Date | null }>(
      `SELECT dedup_key, routing_key_name, state, acknowledged_at, resolved_at FROM pagerduty_pages WHERE dedup_key = $1 ORDER BY routing_key_name`,
      [dedupKey],
    );
    return rows.map((r) => ({ dedupKey: r.dedup_key, routingKeyName: r.routing_key_name, state: r.state, acknowledgedAt: r.acknowledged_at?.toISOString() ?? null, resolvedAt: r.resolved_at?.toISOString() ?? null }));
  }

  async mark(dedupKey: string, routingKeyName: string, action: 'acknowledge' | 'resolve', now: string): Promise<void> {
    const column = action === 'acknowledge' ? 'acknowledged_at' : 'resolved_at';
    await this.pool.query(`UPDATE pagerduty_pages SET ${column} = $3 WHERE dedup_key = $1 AND routing_key_name = $2`, [dedupKey, routingKeyName, now]);
  }

  /** Pending trigger deliveries for this incident: an acknowledge must not overtake them. */
  async pendingTriggers(anomalyId: string | undefined, approvalId: string | undefined): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT count(*) AS count FROM deliveries WHERE kind = 'pagerduty.notice' AND status = 'pending'
         AND (($1::text IS NOT NULL AND payload->'refs'->>'anomalyId' = $1) OR ($2::text IS NOT NULL AND payload->'refs'->>'approvalId' = $2))`,
      [anomalyId ?? null, approvalId ?? null],
    );
    return Number(rows[0]?.count ?? 0);
  }
}
