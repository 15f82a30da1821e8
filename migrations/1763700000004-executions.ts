import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model: `executions`, one row per execution. No defaults: every value comes from events. */
export class Executions1763700000004 implements MigrationInterface {
  name = 'Executions1763700000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE executions (
        id text PRIMARY KEY,
        proposal_id text NOT NULL,
        approval_id text,
        action jsonb NOT NULL,
        action_hash text NOT NULL,
        idempotency_key text NOT NULL,
        max_attempts integer NOT NULL,
        requested_by text NOT NULL,
        status text NOT NULL CHECK (status IN ('requested', 'running', 'awaiting_retry', 'succeeded', 'failed', 'refused', 'verified', 'compensated')),
        attempt integer NOT NULL,
        lease_owner text,
        lease_expires_at timestamptz,
        started_at timestamptz,
        result jsonb,
        error text,
        retryable boolean,
        will_retry boolean,
        refused_why text,
        refused_detail text,
        recovered boolean,
        verification_evidence jsonb,
        compensation jsonb,
        compensating_execution_id text,
        requested_at timestamptz,
        finished_at timestamptz,
        verified_at timestamptz,
        compensated_at timestamptz,
        updated_commit numeric(20) NOT NULL,
        updated_position bigint NOT NULL
      )`);
    await db.query(`CREATE INDEX executions_proposal ON executions (proposal_id, requested_at)`);
    await db.query(`CREATE INDEX executions_approval ON executions (approval_id)`);
    await db.query(`CREATE INDEX executions_running_lease ON executions (lease_expires_at) WHERE status = 'running'`);
    await db.query(`CREATE INDEX executions_status_time ON executions (status, requested_at)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON executions TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE executions`);
  }
}
