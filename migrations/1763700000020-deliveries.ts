import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound deliveries (Slack, PagerDuty, Jira, webhook): one row per delivery, keyed by a deterministic id, so a
 * delivery requested twice is one delivery, one that Redis lost is queued again, and one that ran out of tries is
 * a dead letter anyone can list. The follower that turns log events into deliveries keeps its checkpoint in
 * projection_checkpoints (name `integrations`).
 */
export class Deliveries1763700000020 implements MigrationInterface {
  name = 'Deliveries1763700000020';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE deliveries (
        id text PRIMARY KEY,
        channel text NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'skipped', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        external_ref text,
        escalation jsonb,
        correlation_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    await db.query(`CREATE INDEX deliveries_pending ON deliveries (updated_at) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX deliveries_dead ON deliveries (finished_at DESC) WHERE status = 'dead'`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON deliveries TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE deliveries`);
  }
}
