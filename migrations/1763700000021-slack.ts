import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack: where each approval's card was posted (so votes update it in place and outcomes go to its thread), and
 * the interactions already received (Slack's trigger ids), so a retried or replayed click is acted on once.
 */
export class Slack1763700000021 implements MigrationInterface {
  name = 'Slack1763700000021';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE slack_cards (
        approval_id uuid PRIMARY KEY,
        channel text,
        ts text,
        claimed_at timestamptz NOT NULL,
        posted_at timestamptz
      )`);
    await db.query(`
      CREATE TABLE slack_interactions (
        id text PRIMARY KEY,
        slack_user_id text NOT NULL,
        kind text NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON slack_cards, slack_interactions TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE slack_interactions`);
    await db.query(`DROP TABLE slack_cards`);
  }
}
