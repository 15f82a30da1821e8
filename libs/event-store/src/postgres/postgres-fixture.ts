import { Pool } from 'pg';
import { createAppPool, createOwnerPool, runMigrations } from '@vigil/database';
import { createTestDatabase } from '@vigil/testing';
import { PostgresEventStore } from './postgres-event-store';

/** A fresh, migrated database: the store runs as the app role, `owner` plays whoever controls the database. */
export interface PostgresFixture {
  readonly url: string;
  readonly app: Pool;
  readonly owner: Pool;
  readonly store: PostgresEventStore;
  teardown(): Promise<void>;
}

export async function createPostgresFixture(): Promise<PostgresFixture> {
  const database = await createTestDatabase();
  await runMigrations(database.url);
  const app = createAppPool({ ownerUrl: database.url }, { max: 12 });
  const owner = createOwnerPool(database.url);
  const store = new PostgresEventStore(app);
  return {
    url: database.url,
    app,
    owner,
    store,
    async teardown() {
      await store.close();
      await app.end();
      await owner.end();
      await database.drop();
    },
  };
}
