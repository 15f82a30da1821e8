import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model: the approval queue (`approval_queue`) and its `proposal_versions` helper. No defaults: every value comes from events. */
export class ApprovalQueue1763700000002 implements MigrationInterface {
  name = 'ApprovalQueue1763700000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE proposal_versions (
        proposal_id text NOT NULL,
        version integer NOT NULL,
        action jsonb NOT NULL,
        rationale text NOT NULL,
        proposer text NOT NULL,
        anomaly_id text,
        investigation_id text,
        created_at timestamptz,
        modified_by text,
        changes jsonb,
        tier text,
        risk_factors jsonb,
        blast_radius jsonb,
        dry_run jsonb,
        assessed_by text,
        assessed_at timestamptz,
        proposal_status text NOT NULL CHECK (proposal_status IN ('open', 'withdrawn', 'superseded')),
        updated_commit numeric(20) NOT NULL,
        updated_position bigint NOT NULL,
        PRIMARY KEY (proposal_id, version)
      )`);
    await db.query(`
      CREATE TABLE approval_queue (
        id text PRIMARY KEY,
        proposal_id text NOT NULL,
        proposal_version integer NOT NULL,
        tier text NOT NULL,
        required_roles jsonb NOT NULL,
        votes jsonb NOT NULL,
        refused_attempts integer NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'granted', 'rejected', 'expired', 'cancelled')),
        deadline timestamptz,
        deadline_level integer NOT NULL,
        timed_out_deadline timestamptz,
        escalation_id text,
        escalation_level integer NOT NULL,
        escalation_status text CHECK (escalation_status IN ('active', 'stopped', 'exhausted')),
        action_hash text NOT NULL,
        action jsonb,
        proposer text NOT NULL,
        anomaly_id text,
        investigation_id text,
        rationale text,
        risk_factors jsonb,
        blast_radius jsonb,
        dry_run jsonb,
        requested_by text NOT NULL,
        requested_at timestamptz,
        decided_at timestamptz,
        decided_by text,
        decision_reason text,
        approvers jsonb,
        cancel_reason text,
        modifications jsonb,
        updated_commit numeric(20) NOT NULL,
        updated_position bigint NOT NULL
      )`);
    await db.query(`CREATE INDEX approval_queue_pending_deadline ON approval_queue (deadline, id) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX approval_queue_proposal ON approval_queue (proposal_id, proposal_version)`);
    await db.query(`CREATE INDEX approval_queue_status_time ON approval_queue (status, requested_at)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON proposal_versions, approval_queue TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE approval_queue`);
    await db.query(`DROP TABLE proposal_versions`);
  }
}
