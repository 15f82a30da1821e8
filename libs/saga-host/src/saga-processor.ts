import { Pool, PoolClient } from 'pg';
import { ApprovalPolicy } from '@vigil/domain/approval';
import { SagaOptions, SagaOutput, asSagaEvent, react } from '@vigil/domain/approval-saga';
import { EventStore, GlobalPosition, RecordedEvent, WakeUp, comparePositions, formatPosition } from '@vigil/event-store';
import { SAGA_CHECKPOINT_NAME, SAGA_LOCK_SQL, SAGA_UNLOCK_SQL, advanceSagaCheckpoint, readSagaCheckpoint } from './checkpoint';
import { loadSagaFacts } from './facts-loader';
import { sha256Hex, uuidFromSeed } from './hashing';
import { SagaLogger, silentLogger } from './logger';
import { OutputRunner } from './output-runner';

export interface SagaProcessorOptions {
  /** Row in projection_checkpoints and advisory lock name. Default `saga:approval`. */
  readonly name?: string;
  /** Events per read. Default 200. */
  readonly batchSize?: number;
  /** Idle wait once caught up. Default 100 ms. */
  readonly pollIntervalMs?: number;
  /** How often a standby retries the lock, and the pause after an error. Default 1000 ms. */
  readonly lockRetryMs?: number;
  readonly saga?: Partial<SagaOptions>;
  /** Action hash; default sha256 hex (what the API checks votes against). */
  readonly hash?: (text: string) => string;
  /** Ids of what the saga creates; default uuid v5 of the seed. */
  readonly deriveId?: (seed: string) => string;
  readonly logger?: SagaLogger;
  readonly onError?: (error: unknown) => void;
}

/**
 * Feeds the approval saga from the global log. Single active per database (a Postgres advisory lock held on its own
 * session, like the projection runners); a standby retries and takes over when the holder's session ends. For each
 * event: read the facts, `react`, run every output, then move the checkpoint past the event — so a crash re-runs at
 * most the reaction in flight, which is harmless because every output is idempotent. An I/O error stops the batch
 * (the event is tried again after a pause); a reaction that throws (a pure function fails the same way every time)
 * is logged and skipped.
 */
export class ApprovalSagaProcessor {
  private lock?: PoolClient;
  private stopped = true;
  private loop?: Promise<void>;
  private readonly wakeUp = new WakeUp();
  private readonly logger: SagaLogger;
  readonly name: string;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly policy: ApprovalPolicy,
    private readonly runner: OutputRunner,
    private readonly options: SagaProcessorOptions = {},
  ) {
    this.name = options.name ?? SAGA_CHECKPOINT_NAME;
    this.logger = options.logger ?? silentLogger;
  }

  get isActive(): boolean {
    return this.lock !== undefined;
  }

  async tryBecomeActive(): Promise<boolean> {
    if (this.lock) return true;
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(SAGA_LOCK_SQL, [this.name]);
      if (rows[0]?.locked) {
        client.on('error', (error) => this.logger.warn({ err: error }, 'saga lock session lost'));
        this.lock = client;
        this.logger.info({ saga: this.name }, 'saga host active');
        return true;
      }
    } catch (error) {
      client.release();
      throw error;
    }
    client.release();
    return false;
  }

  /** Processes events until the log has nothing newer; returns how many events it went through. */
  async catchUp(): Promise<number> {
    if (!(await this.tryBecomeActive())) return 0;
    const batchSize = this.options.batchSize ?? 200;
    let seen = 0;
    for (;;) {
      const count = await this.processNextBatch(batchSize);
      seen += count;
      if (count < batchSize || this.stopped) return seen;
    }
  }

  private async processNextBatch(batchSize: number): Promise<number> {
    // The lock lives as long as its session: a dead session throws here, and the loop lets go and retries.
    await this.lock?.query('SELECT 1');
    const from = await readSagaCheckpoint(this.pool, this.name);
    const events = await this.store.readAll(from, batchSize);
    let passed: GlobalPosition | undefined;
    for (const event of events) {
      if (this.stopped) break;
      const outputs = await this.outputsFor(event);
      if (outputs === undefined) {
        passed = event.position;
        continue;
      }
      if (outputs.length > 0) await this.runner.run(outputs, event);
      await advanceSagaCheckpoint(this.pool, event.position, this.name);
      passed = undefined;
    }
    if (passed && comparePositions(passed, from) > 0) await advanceSagaCheckpoint(this.pool, passed, this.name);
    return events.length;
  }

  /** `undefined` for an event the saga does not react to (no reads, no checkpoint write of its own). */
  private async outputsFor(event: RecordedEvent): Promise<SagaOutput[] | undefined> {
    const sagaEvent = asSagaEvent(event);
    if (!sagaEvent) return undefined;
    const facts = await loadSagaFacts(this.store, sagaEvent, event.position);
    try {
      return react(event, {
        policy: this.policy,
        facts,
        hash: this.options.hash ?? sha256Hex,
        deriveId: this.options.deriveId ?? uuidFromSeed,
        options: this.options.saga,
      });
    } catch (error) {
      this.logger.error({ err: error, eventId: event.eventId, type: event.type, position: formatPosition(event.position) }, 'saga reaction failed; event skipped');
      return [];
    }
  }

  /** Runs until stop(): standby until the lock is free, then catches up and follows the log. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Wakes an idle processor now (e.g. right after a local append). */
  poke(): void {
    this.wakeUp.poke();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const active = await this.tryBecomeActive();
        if (active) await this.catchUp();
        await this.sleep(active ? (this.options.pollIntervalMs ?? 100) : (this.options.lockRetryMs ?? 1000));
      } catch (error) {
        this.logger.error({ err: error, saga: this.name }, 'saga host failed; retrying');
        this.options.onError?.(error);
        await this.releaseLock();
        await this.sleep(this.options.lockRetryMs ?? 1000);
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
    this.loop = undefined;
    await this.releaseLock();
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    try {
      await lock.query(SAGA_UNLOCK_SQL, [this.name]);
      lock.release();
    } catch {
      // The session is gone, and the lock with it.
      lock.release(true);
    }
  }
}
