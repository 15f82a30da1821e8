import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PagerDuty: each (dedup key, routing key) Vigil triggered, so acknowledge and resolve reach every service that
 * was paged for the incident; and the ids of inbound webhook events already applied (PagerDuty retries).
 */
export class PagerDuty1763700000022 implements MigrationInterface {
  name = 'PagerDuty1763700000022';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE pagerduty_pages (
        dedup_key text NOT NULL,
        routing_key_name text NOT NULL,
        anomaly_id text,
        state text NOT NULL CHECK (state IN ('queued', 'triggered', 'failed')),
        queued_at timestamptz NOT NULL,
        triggered_at timestamptz,
        acknowledged_at timestamptz,
        resolved_at timestamptz,
        PRIMARY KEY (dedup_key, routing_key_name)
      )`);
    await db.query(`
      CREATE TABLE webhook_receipts (
        source text NOT NULL,
        id text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (source, id)
      )`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON pagerduty_pages, webhook_receipts TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_receipts`);
    await db.query(`DROP TABLE pagerduty_pages`);
  }
}
