import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incident grouping: an investigation's conclusion names the anomaly leading the fault's incident; the incidents read
 * model keeps it per anomaly so the console lists one incident with its grouped anomalies. Rebuilding the projection
 * fills it from the log.
 */
export class IncidentLead1763700000024 implements MigrationInterface {
  name = 'IncidentLead1763700000024';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE incidents ADD COLUMN lead_anomaly_id text`);
    await db.query(`CREATE INDEX incidents_lead ON incidents (lead_anomaly_id) WHERE lead_anomaly_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX incidents_lead`);
    await db.query(`ALTER TABLE incidents DROP COLUMN lead_anomaly_id`);
  }
}
