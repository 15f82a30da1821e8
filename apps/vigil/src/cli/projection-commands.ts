import { Command } from 'commander';
import { projectionNamed, projections, readModelChecksum, rebuildProjection } from '@vigil/read-models';
import { progressBar } from './progress';
import { withRuntime } from './with-runtime';

export function registerProjectionCommands(program: Command): void {
  const group = program.command('projections').description('Read models fed from the event log');
  group
    .command('list')
    .description('List the projections')
    .action(() => {
      for (const projection of projections) process.stdout.write(`${projection.name}\t${projection.tables.join(',')}\n`);
    });
  group
    .command('rebuild [name]')
    .description('Truncate a read model (or all of them) and replay the whole log into it')
    .action(async (name?: string) => {
      const selected = name ? [projectionNamed(name)] : projections;
      await withRuntime(async (runtime) => {
        for (const projection of selected) {
          const bar = progressBar(`rebuilding ${projection.name}`);
          const started = Date.now();
          const applied = await rebuildProjection(runtime.dataSource, runtime.store, projection, {
            onStart: (total) => bar.start(total, 0),
            onProgress: (n) => bar.update(n),
          });
          bar.stop();
          const seconds = (Date.now() - started) / 1000;
          const checksum = await readModelChecksum(runtime.dataSource, projection);
          process.stdout.write(`${projection.name}: ${applied} events in ${seconds.toFixed(1)} s; checksum ${checksum}\n`);
        }
      });
    });
}
