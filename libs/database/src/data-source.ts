import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { migrations } from '@vigil/migrations';
import { APP_ROLE, DatabaseUrls } from './pools';

// TypeORM's `entities` option type; read models register their entities here.
type Entities = MixedList<string | (new () => unknown) | EntitySchema>;

/** Runs every pending migration with the owner role. `synchronize` is never used: schema lives in migrations/. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const dataSource = new DataSource({ type: 'postgres', url: ownerUrl, migrations, synchronize: false, migrationsTransactionMode: 'each' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** TypeORM data source for read models, running as the app role. */
export async function createReadModelDataSource(urls: DatabaseUrls, entities: Entities): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: urls.appUrl ?? urls.ownerUrl,
    extra: urls.appUrl ? {} : { options: `-c role=${APP_ROLE}` },
    entities,
    synchronize: false,
    migrationsRun: false,
  });
  return dataSource.initialize();
}
