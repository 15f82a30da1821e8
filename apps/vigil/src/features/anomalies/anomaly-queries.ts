import { DataSource } from 'typeorm';

/** Anomalies as the incidents read model lists them. */
export class AnomalyQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(status?: string) {
    const rows = await this.dataSource.query(
      `SELECT anomaly_id AS id, service, operation, signal, severity, status, opened_at, resolved_at
         FROM incidents WHERE ($1::text IS NULL OR status = $1) ORDER BY opened_at DESC LIMIT 500`,
      [status ?? null],
    );
    return { items: rows };
  }
}
