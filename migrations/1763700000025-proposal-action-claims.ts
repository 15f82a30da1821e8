import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Action key (kind + target) → the investigator proposal that claimed it. Investigations of one fault run in parallel;
 * claiming atomically keeps two of them from proposing the same action twice (two restarts of one deployment, two
 * tickets for one service). A claim lapses after an hour, or when its proposal was withdrawn or superseded.
 */
export class ProposalActionClaims1763700000025 implements MigrationInterface {
  name = 'ProposalActionClaims1763700000025';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE proposal_action_claims (action_key text PRIMARY KEY, proposal_id text NOT NULL, claimed_at timestamptz NOT NULL)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON proposal_action_claims TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE proposal_action_claims`);
  }
}
