import { Pool } from 'pg';
import { DeliveryRequest, EscalationRecord } from './delivery';

export type DeliveryStatus = 'pending' | 'delivered' | 'skipped' | 'dead';

export interface DeliveryRow {
  readonly id: string;
  readonly channel: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly externalRef: string | null;
  readonly escalation: EscalationRecord | null;
  readonly correlationId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

interface Row {
  id: string;
  channel: string;
  kind: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  external_ref: string | null;
  escalation: EscalationRecord | null;
  correlation_id: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const COLUMNS = 'id, channel, kind, payload, status, attempts, last_error, external_ref, escalation, correlation_id, created_at, updated_at, finished_at';

const toRow = (r: Row): DeliveryRow => ({
  id: r.id,
  channel: r.channel,
  kind: r.kind,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  externalRef: r.external_ref,
  escalation: r.escalation,
  correlationId: r.correlation_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

/** The durable side of the delivery queues: Redis holds the jobs, this table holds what must eventually happen. */
export class DeliveryStore {
  constructor(private readonly pool: Pool) {}

  /** True when the delivery is new; a delivery requested again (same id) is left as it is. */
  async insert(request: DeliveryRequest, now: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO deliveries (id, channel, kind, payload, escalation, correlation_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $7) ON CONFLICT (id) DO NOTHING`,
      [request.id, request.channel, request.kind, JSON.stringify(request.payload ?? null), request.escalation ? JSON.stringify(request.escalation) : null, request.correlationId ?? null, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async attemptFailed(id: string, attempt: number, error: string, now: string): Promise<void> {
    await this.pool.query(`UPDATE deliveries SET attempts = GREATEST(attempts, $2), last_error = $3, updated_at = $4 WHERE id = $1 AND status = 'pending'`, [id, attempt, error.slice(0, 2000), now]);
  }

  /** Ends a pending delivery; false when it had already ended (another worker, or a redrive raced). */
  async finish(id: string, status: Exclude<DeliveryStatus, 'pending'>, attempt: number, detail: { externalRef?: string; error?: string }, now: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE deliveries SET status = $2, attempts = GREATEST(attempts, $3), external_ref = COALESCE($4, external_ref), last_error = COALESCE($5, last_error), updated_at = $6, finished_at = $6
       WHERE id = $1 AND status = 'pending'`,
      [id, status, attempt, detail.externalRef ?? null, detail.error?.slice(0, 2000) ?? null, now],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Pending deliveries not touched for `olderThanMs`: their job may be gone with Redis. */
  async stalePending(olderThan: string, limit: number): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM deliveries WHERE status = 'pending' AND updated_at < $1 ORDER BY updated_at LIMIT $2`, [olderThan, limit]);
    return rows.map(toRow);
  }

  async dead(limit: number, channel?: string): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM deliveries WHERE status = 'dead' AND ($2::text IS NULL OR channel = $2) ORDER BY finished_at DESC LIMIT $1`,
      [limit, channel ?? null],
    );
    return rows.map(toRow);
  }

  /** A dead letter back to pending, with its tries reset; false when it is not a dead letter. */
  async redrive(id: string, now: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE deliveries SET status = 'pending', attempts = 0, updated_at = $2, finished_at = NULL WHERE id = $1 AND status = 'dead'`,
      [id, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async touch(id: string, now: string): Promise<void> {
    await this.pool.query(`UPDATE deliveries SET updated_at = $2 WHERE id = $1 AND status = 'pending'`, [id, now]);
  }
}
