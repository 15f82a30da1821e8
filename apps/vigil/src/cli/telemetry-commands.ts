import { Command } from 'commander';
import { loadConfig } from '@vigil/config';
import { ClickHouseMigrator, EXPORT_PARQUET_USAGE, runExportParquet } from '@vigil/telemetry';
import { resolveClickHouse, StartedService } from '../runtime/embedded-services';

export function registerTelemetryCommands(program: Command): void {
  const telemetry = program.command('telemetry').description('Telemetry store: exports');
  telemetry
    .command('export-parquet')
    .description('Write the RED rollup (cold tier by default) as Parquet files, one per UTC day')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[args...]', EXPORT_PARQUET_USAGE)
    .action(async (args: string[]) => {
      const config = loadConfig();
      // Opens CLICKHOUSE_URL, or the embedded chDB data dir (stop `npm start` first: chDB allows one process per dir).
      const started: StartedService[] = [];
      const client = await resolveClickHouse(config, started);
      try {
        // A store that never ran the server has no tables yet: the schema is idempotent, so create it and export nothing.
        await new ClickHouseMigrator(client, { database: config.CLICKHOUSE_DATABASE }).migrate();
        const withDatabase = args.some((arg) => arg === '--database' || arg.startsWith('--database=')) ? args : [...args, '--database', config.CLICKHOUSE_DATABASE];
        await runExportParquet(withDatabase, client);
      } finally {
        for (const service of started.reverse()) await service.stop();
      }
    });
}
