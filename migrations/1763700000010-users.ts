import { MigrationInterface, QueryRunner } from 'typeorm';

/** People, roles and hashed API tokens. Not event-sourced; changes to it are audited by the app as events. */
export class Users1763700000010 implements MigrationInterface {
  name = 'Users1763700000010';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id text PRIMARY KEY,
        email text,
        slack_id text UNIQUE,
        roles text[] NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        disabled_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX users_email ON users (lower(email))`);
    await db.query(`GRANT SELECT, INSERT, UPDATE ON users TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE users`);
  }
}
