import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { EventStore, GlobalPosition, RecordedEvent, START, WakeUp } from '@vigil/event-store';
import { Projection } from './projection';

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** Idle wait between reads once caught up. */
  readonly pollIntervalMs?: number;
  /** How often a standby retries the lock. */
  readonly lockRetryMs?: number;
  readonly onError?: (error: unknown) => void;
  readonly onProgress?: (applied: number) => void;
}

/** Session advisory lock key for a projection: one active runner per projection per database. */
export function projectionLockSql(): string {
  return `SELECT pg_try_advisory_lock(hashtext('vigil.projection'), hashtext($1)) AS locked`;
}

export async function readCheckpoint(manager: EntityManager, name: string, forUpdate = false): Promise<GlobalPosition> {
  const rows: { commit_position: string; prepare_position: string }[] = await manager.query(
    `SELECT commit_position::text, prepare_position FROM projection_checkpoints WHERE name = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [name],
  );
  return rows.length ? { commit: BigInt(rows[0].commit_position), prepare: BigInt(rows[0].prepare_position) } : START;
}

/**
 * Feeds one projection from the event store in batches. Single active per projection: a runner works only
 * while it holds the advisory lock on its own connection; a standby keeps retrying and takes over when the
 * holder's session ends (crash, kill -9, network loss).
 */
export class ProjectionRunner {
  private lock?: QueryRunner;
  private stopped = true;
  private loop?: Promise<void>;
  private readonly wakeUp = new WakeUp();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {}

  get isActive(): boolean {
    return this.lock !== undefined;
  }

  async tryBecomeActive(): Promise<boolean> {
    if (this.lock) return true;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(projectionLockSql(), [this.projection.name]);
      if (locked) {
        this.lock = runner;
        return true;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    await runner.release();
    return false;
  }

  /**
   * Applies batches until the store has nothing newer. Returns the number of events read and applied. The next
   * batch is read while the current one is being written, so reading and applying overlap.
   */
  async catchUp(): Promise<number> {
    if (!(await this.tryBecomeActive())) return 0;
    const batchSize = this.options.batchSize ?? 1000;
    let applied = 0;
    let next = prefetch(this.store.readAll(await readCheckpoint(this.dataSource.manager, this.projection.name), batchSize));
    for (;;) {
      const events = await next;
      if (events.length === 0) return applied;
      const full = events.length === batchSize;
      next = full ? prefetch(this.store.readAll(events[events.length - 1].position, batchSize)) : Promise.resolve([]);
      await this.applyBatch(events);
      applied += events.length;
      this.options.onProgress?.(applied);
      if (!full) return applied;
    }
  }

  private async applyBatch(events: readonly RecordedEvent[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Idempotent by position: whatever another (former) holder already applied is skipped.
      const current = await readCheckpoint(manager, this.projection.name, true);
      const fresh = events.filter((e) => e.position.commit > current.commit || (e.position.commit === current.commit && e.position.prepare > current.prepare));
      if (fresh.length === 0) return;
      await this.projection.apply(fresh, manager);
      const last = fresh[fresh.length - 1].position;
      await manager.query(
        `INSERT INTO projection_checkpoints (name, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (name) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position, updated_at = now()`,
        [this.projection.name, last.commit.toString(), last.prepare.toString()],
      );
    });
  }

  /** Runs until stop(): standby until the lock is free, then catches up and follows the log. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Wakes an idle runner now (e.g. right after a local append). */
  poke(): void {
    this.wakeUp.poke();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const active = await this.tryBecomeActive();
        if (active) await this.catchUp();
        await this.sleep(active ? (this.options.pollIntervalMs ?? 50) : (this.options.lockRetryMs ?? 500));
      } catch (error) {
        this.options.onError?.(error);
        await this.releaseLock();
        await this.sleep(this.options.lockRetryMs ?? 500);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.wakeUp.sleep(ms);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp.poke();
    await this.loop;
    await this.releaseLock();
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    try {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('vigil.projection'), hashtext($1))`, [this.projection.name]);
    } catch {
      // The session is gone, and the lock with it.
    }
    await lock.release();
  }
}

/** A read started ahead of time: its failure surfaces when awaited, not as an unhandled rejection meanwhile. */
function prefetch(read: Promise<RecordedEvent[]>): Promise<RecordedEvent[]> {
  read.catch(() => undefined);
  return read;
}
