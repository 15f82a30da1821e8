// Runs an ExecutionWorker (ArgoCD executor) in its own process so a spec can kill -9 it mid-rollback.
// Env: CHILD_DATABASE_URL, REDIS_URL, CHILD_QUEUE_PREFIX, ARGOCD_URL, ARGOCD_TOKEN, CHILD_LEASE_MS, CHILD_LOCK_MS.
// Prints "ready" once the worker listens, then one line per worker log entry.
import Redis from 'ioredis';
import { CommandBus, UsersRepository } from '@vigil/application';
import { createAppPool } from '@vigil/database';
import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import { PostgresEventStore } from '@vigil/event-store';
import { ExecutorRegistry } from '@vigil/executors';
import { createArgoCdExecutor } from '@vigil/integrations/argocd';
import { ExecutionWorker } from '../execution-worker';

async function main(): Promise<void> {
  const pool = createAppPool({ ownerUrl: required('CHILD_DATABASE_URL') }, { max: 5 });
  const store = new PostgresEventStore(pool);
  const leaseMs = Number(process.env.CHILD_LEASE_MS ?? 2_000);
  const connection = new Redis(required('REDIS_URL'), { maxRetriesPerRequest: null });
  const worker = new ExecutionWorker({
    connection,
    prefix: required('CHILD_QUEUE_PREFIX'),
    bus: new CommandBus(store),
    store,
    executors: new ExecutorRegistry([createArgoCdExecutor({ baseUrl: required('ARGOCD_URL'), token: required('ARGOCD_TOKEN'), pollIntervalMs: 50 })]),
    users: new UsersRepository(pool),
    policy: DEFAULT_APPROVAL_POLICY,
    leaseMs,
    lockDurationMs: Number(process.env.CHILD_LOCK_MS ?? leaseMs),
    concurrency: 1,
    log: (level, message, fields) => process.stdout.write(`${level} ${message} ${JSON.stringify(fields)}\n`),
  });
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
