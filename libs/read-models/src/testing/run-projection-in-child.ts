// Runs the audit-index projection in its own process so a test can kill -9 it.
// Prints "active" once it holds the projection lock and "applied <n>" after each batch.
import { createAppPool, createReadModelDataSource } from '@vigil/database';
import { PostgresEventStore } from '@vigil/event-store';
import { auditIndexProjection } from '../audit-index/audit-index.projection';
import { ProjectionRunner } from '../projection-runner/projection-runner';
import { readModelEntities } from '../registry';

async function main() {
  const ownerUrl = process.env.CHILD_DATABASE_URL!;
  const store = new PostgresEventStore(createAppPool({ ownerUrl }));
  const dataSource = await createReadModelDataSource({ ownerUrl }, readModelEntities);
  const runner = new ProjectionRunner(dataSource, store, auditIndexProjection, {
    batchSize: 10,
    pollIntervalMs: 20,
    lockRetryMs: 100,
    onProgress: (n) => process.stdout.write(`applied ${n}\n`),
  });
  const announce = setInterval(() => {
    if (runner.isActive) {
      process.stdout.write('active\n');
      clearInterval(announce);
    }
  }, 20);
  runner.start();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
