import { DataSource } from 'typeorm';
import { EventStore } from '@vigil/event-store';
import { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

export interface RebuildOptions {
  readonly batchSize?: number;
  /** How long to wait for a running instance of the projection to let go (default 10 s). */
  readonly lockTimeoutMs?: number;
  readonly onStart?: (totalEvents: number) => void;
  readonly onProgress?: (applied: number) => void;
}

export class ProjectionBusyError extends Error {
  readonly type = 'projection-busy' as const;
  constructor(name: string) {
    super(`Projection ${name} is being run by another process: stop it (or wait for it) before rebuilding`);
  }
}

/** Truncates the projection's tables and replays the whole log into them. */
export async function rebuildProjection(dataSource: DataSource, store: EventStore, projection: Projection, options: RebuildOptions = {}): Promise<number> {
  const runner = new ProjectionRunner(dataSource, store, projection, { batchSize: options.batchSize ?? 5000, onProgress: options.onProgress });
  const deadline = Date.now() + (options.lockTimeoutMs ?? 10_000);
  while (!(await runner.tryBecomeActive())) {
    if (Date.now() > deadline) throw new ProjectionBusyError(projection.name);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    await dataSource.transaction(async (manager) => {
      if (projection.tables.length) await manager.query(`TRUNCATE ${projection.tables.map((t) => `"${t}"`).join(', ')}`);
      await manager.query(`DELETE FROM projection_checkpoints WHERE name = $1`, [projection.name]);
    });
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM events`);
    options.onStart?.(n);
    // The visibility fence is cluster-wide: a transaction open elsewhere can briefly hide committed events, so
    // keep going until everything that existed when the rebuild began has been replayed.
    let applied = await runner.catchUp();
    while (applied < n) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      applied += await runner.catchUp();
    }
    return applied;
  } finally {
    await runner.stop();
  }
}

/** md5 over every row of the projection's tables in a stable order: equal checksums, identical read model. */
export async function readModelChecksum(dataSource: DataSource, projection: Projection): Promise<string> {
  const parts: string[] = [];
  for (const table of projection.tables) {
    const [{ digest }] = await dataSource.query(
      `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
    );
    parts.push(`${table}:${digest}`);
  }
  return parts.join(' ');
}
