import { Pool, PoolClient } from 'pg';
import { EventStore, RecordedEvent } from '@vigil/event-store';
import { advanceSagaCheckpoint, readSagaCheckpoint, SAGA_LOCK_SQL, SAGA_UNLOCK_SQL, SagaLogger, setSagaCheckpoint, silentLogger } from '@vigil/saga-host';
import { DeliveryRequest } from './delivery';
import { DeliveryService } from './delivery-service';

/** What an integration asks to deliver because of one event of the log (most events: nothing). */
export type Reactor = (event: RecordedEvent) => Promise<readonly DeliveryRequest[]>;

export interface LogFollowerOptions {
  /** Checkpoint row and advisory lock name. Default `integrations`. */
  readonly name?: string;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly retryMs?: number;
  readonly logger?: SagaLogger;
}

/**
 * Follows the global log (single active per database: the projections' advisory lock namespace) and turns events
 * into deliveries: card updates, PagerDuty acknowledge/resolve, Jira tickets and comments. Deliveries are recorded
 * before the checkpoint moves, and their ids derive from the event, so a crash or a second run asks for nothing
 * twice. A fresh install starts at the head of the log: enabling an integration does not replay history into it.
 */
export class LogFollower {
  private lock?: PoolClient;
  private stopped = true;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly logger: SagaLogger;
  readonly name: string;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly reactors: readonly Reactor[],
    private readonly deliveries: DeliveryService,
    private readonly options: LogFollowerOptions = {},
  ) {
    this.name = options.name ?? 'integrations';
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.release();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const active = await this.tryLock();
        if (active) await this.catchUp();
        await this.sleep(active ? (this.options.pollIntervalMs ?? 100) : (this.options.retryMs ?? 1000));
      } catch (error) {
        this.logger.error({ err: error, follower: this.name }, 'integration follower failed; retrying');
        await this.release();
        await this.sleep(this.options.retryMs ?? 1000);
      }
    }
  }

  private async tryLock(): Promise<boolean> {
    if (this.lock) return true;
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(SAGA_LOCK_SQL, [this.name]);
      if (!rows[0]?.locked) {
        client.release();
        return false;
      }
    } catch (error) {
      client.release();
      throw error;
    }
    client.on('error', (error) => this.logger.warn({ err: error }, 'integration follower lock session lost'));
    this.lock = client;
    const { rows } = await this.pool.query(`SELECT 1 FROM projection_checkpoints WHERE name = $1`, [this.name]);
    if (rows.length === 0) await setSagaCheckpoint(this.pool, await this.store.headPosition(), this.name);
    return true;
  }

  private async catchUp(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    for (;;) {
      await this.lock?.query('SELECT 1');
      const from = await readSagaCheckpoint(this.pool, this.name);
      const events = await this.store.readAll(from, batchSize);
      for (const event of events) {
        if (this.stopped) return;
        const requests: DeliveryRequest[] = [];
        for (const reactor of this.reactors) requests.push(...(await reactor(event)));
        for (const request of requests) await this.deliveries.enqueue(request);
        if (requests.length) await advanceSagaCheckpoint(this.pool, event.position, this.name);
      }
      if (events.length) await advanceSagaCheckpoint(this.pool, events[events.length - 1].position, this.name);
      if (events.length < batchSize || this.stopped) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async release(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    try {
      await lock.query(SAGA_UNLOCK_SQL, [this.name]);
      lock.release();
    } catch {
      lock.release(true);
    }
  }
}
