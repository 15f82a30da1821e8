import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Silences and maintenance windows: matchers over an anomaly's labels and a time range. The events
 * (`silence-<id>` streams: SilenceCreated, SilenceExpired) are the record; this table is what matching reads.
 */
export class Silences1763700000023 implements MigrationInterface {
  name = 'Silences1763700000023';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE silences (
        id uuid PRIMARY KEY,
        matchers jsonb NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        comment text NOT NULL,
        created_by text NOT NULL,
        source text NOT NULL,
        created_at timestamptz NOT NULL,
        expired_at timestamptz,
        expired_by text
      )`);
    await db.query(`CREATE INDEX silences_active ON silences (ends_at) WHERE expired_at IS NULL`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON silences TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE silences`);
  }
}
