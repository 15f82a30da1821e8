import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dedup key → the anomaly currently open for it; claimed atomically so racing reports open one anomaly. */
export class AnomalyKeys1763700000011 implements MigrationInterface {
  name = 'AnomalyKeys1763700000011';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE anomaly_keys (dedup_key text PRIMARY KEY, anomaly_id uuid NOT NULL, opened_at timestamptz NOT NULL)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON anomaly_keys TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE anomaly_keys`);
  }
}
