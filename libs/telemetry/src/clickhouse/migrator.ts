import type { ClickHouseClient } from '@clickhouse/client';
import { createTable, MIGRATIONS, resolveSchemaOptions, storageTable, type Migration, type SchemaOptions } from './migrations';

export interface MigrationResult {
  applied: number[];
  current: number;
}

/**
 * Applies the telemetry schema migrations in order, recording each in `vigil_telemetry_migrations`. Statements are
 * idempotent (IF NOT EXISTS), so a run interrupted between a statement and its record is safe to repeat. Run it from
 * one process (the processor) at start-up.
 */
export class ClickHouseMigrator {
  private readonly options: Required<SchemaOptions>;

  constructor(private readonly client: ClickHouseClient, options: SchemaOptions = {}, private readonly migrations: readonly Migration[] = MIGRATIONS) {
    this.options = resolveSchemaOptions(options);
  }

  /** Replicated (not distributed) in cluster mode: every node sees every applied version. */
  private get table(): string {
    return storageTable('vigil_telemetry_migrations', this.options);
  }

  async migrate(): Promise<MigrationResult> {
    const cluster = this.options.cluster ? ` ON CLUSTER \`${this.options.cluster}\`` : '';
    await this.client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${this.options.database}\`${cluster}` });
    const [createRecordTable] = createTable({
      name: 'vigil_telemetry_migrations',
      columns: 'version UInt32, name String, applied_at DateTime64(3) DEFAULT now64(3)',
      engine: 'ReplacingMergeTree',
      layout: 'ORDER BY version',
    }, this.options);
    await this.client.command({ query: createRecordTable });
    const done = new Set((await this.appliedVersions()));
    const applied: number[] = [];
    for (const migration of [...this.migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(this.options)) await this.client.command({ query: statement });
      await this.client.insert({ table: this.table, values: [{ version: migration.version, name: migration.name }], format: 'JSONEachRow' });
      applied.push(migration.version);
    }
    const versions = [...done, ...applied];
    return { applied, current: versions.length ? Math.max(...versions) : 0 };
  }

  async appliedVersions(): Promise<number[]> {
    const rows = await (await this.client.query({ query: `SELECT DISTINCT version FROM ${this.table} ORDER BY version`, format: 'JSONEachRow' }))
      .json<{ version: number | string }>();
    return rows.map((row) => Number(row.version));
  }
}
