import type { ClickHouseClient } from '@clickhouse/client';
import { MIGRATIONS, type Migration, type SchemaOptions } from './migrations';

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
    this.options = {
      database: options.database ?? 'default',
      ttlDays: options.ttlDays ?? 7,
      engine: options.engine ?? 'MergeTree',
      dedupWindow: options.dedupWindow ?? 1_000,
    };
  }

  private get table(): string {
    return `\`${this.options.database}\`.vigil_telemetry_migrations`;
  }

  async migrate(): Promise<MigrationResult> {
    await this.client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${this.options.database}\`` });
    await this.client.command({
      query: `CREATE TABLE IF NOT EXISTS ${this.table} (version UInt32, name String, applied_at DateTime64(3) DEFAULT now64(3))
              ENGINE = ReplacingMergeTree ORDER BY version`,
    });
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
