import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditIndex1763700000001 implements MigrationInterface {
  name = 'AuditIndex1763700000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_index (
        global_position bigint PRIMARY KEY,
        commit_position numeric(20) NOT NULL,
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_version bigint NOT NULL,
        entity_type text NOT NULL,
        type text NOT NULL,
        actor text NOT NULL,
        correlation_id text,
        recorded_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_index_actor_time ON audit_index (actor, recorded_at)`);
    await db.query(`CREATE INDEX audit_index_entity_time ON audit_index (entity_type, recorded_at)`);
    await db.query(`CREATE INDEX audit_index_stream ON audit_index (stream_id, stream_version)`);
    await db.query(`CREATE INDEX audit_index_time ON audit_index (recorded_at)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_index TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_index`);
  }
}
