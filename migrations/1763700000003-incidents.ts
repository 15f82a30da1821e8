import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model: `incidents`, `incident_timeline` and the `incident_links` they are joined through. No defaults: every value comes from events. */
export class Incidents1763700000003 implements MigrationInterface {
  name = 'Incidents1763700000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE incidents (
        anomaly_id text PRIMARY KEY,
        service text NOT NULL,
        operation text NOT NULL,
        signal text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'suppressed', 'resolved')),
        source text,
        fingerprint text,
        occurrences integer NOT NULL,
        opened_at timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by text,
        resolved_at timestamptz,
        resolved_by text,
        resolution text,
        latest_kind text NOT NULL,
        latest_summary text NOT NULL,
        latest_at timestamptz,
        entry_count integer NOT NULL,
        updated_commit numeric(20) NOT NULL,
        updated_position bigint NOT NULL
      )`);
    await db.query(`CREATE INDEX incidents_status_opened ON incidents (status, opened_at)`);
    await db.query(`CREATE INDEX incidents_service_opened ON incidents (service, opened_at)`);
    await db.query(`
      CREATE TABLE incident_timeline (
        anomaly_id text NOT NULL,
        seq bigint NOT NULL,
        commit_position numeric(20) NOT NULL,
        at timestamptz,
        kind text NOT NULL CHECK (kind IN ('anomaly', 'investigation', 'finding', 'proposal', 'risk', 'approval', 'vote', 'escalation', 'execution', 'verification')),
        type text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        actor text NOT NULL,
        summary text NOT NULL,
        detail jsonb NOT NULL,
        PRIMARY KEY (anomaly_id, seq)
      )`);
    await db.query(`CREATE INDEX incident_timeline_order ON incident_timeline (anomaly_id, commit_position, seq)`);
    await db.query(`
      CREATE TABLE incident_links (
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        anomaly_id text NOT NULL,
        linked_commit numeric(20) NOT NULL,
        linked_position bigint NOT NULL,
        PRIMARY KEY (entity_type, entity_id, anomaly_id)
      )`);
    await db.query(`CREATE INDEX incident_links_anomaly ON incident_links (anomaly_id)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON incidents, incident_timeline, incident_links TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE incident_links`);
    await db.query(`DROP TABLE incident_timeline`);
    await db.query(`DROP TABLE incidents`);
  }
}
