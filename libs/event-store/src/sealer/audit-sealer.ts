import { Pool, PoolClient } from 'pg';
import { merkleRoot } from '../hashing';
import { formatPosition, parsePosition, START } from '../port';
import { AuditCheckpoint, checkpointHash, GENESIS_CHECKPOINT_HASH } from './checkpoint';
import { eventHashesBetween, insertCheckpoint, lastCheckpoint } from './checkpoint-repository';
import { signHex, SigningKey } from './signing-key';

/** Any 64-bit number unique to the sealer; the lock is per database. */
const SEALER_LOCK_KEY = 0x5649_4749_4c53_45n; // "VIGILSE"

export interface AuditSealerOptions {
  readonly maxEventsPerCheckpoint?: number;
  readonly intervalMs?: number;
  readonly clock?: () => Date;
  readonly onError?: (error: unknown) => void;
}

/**
 * Appends signed checkpoints over the fenced global order. Single active: it seals only while holding a
 * session advisory lock on its own connection, so a second sealer idles until the first dies.
 */
export class AuditSealer {
  private lockClient?: PoolClient;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly pool: Pool,
    private readonly key: SigningKey,
    private readonly options: AuditSealerOptions = {},
  ) {}

  /** True once this instance holds the sealer lock. */
  get isActive(): boolean {
    return this.lockClient !== undefined;
  }

  async tryBecomeActive(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [SEALER_LOCK_KEY.toString()]);
      if (rows[0].locked) {
        client.on('error', () => this.dropLock(client));
        this.lockClient = client;
        return true;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    return false;
  }

  /** Seals everything visible so far into as many checkpoints as needed; returns the new checkpoints. */
  async sealPending(): Promise<AuditCheckpoint[]> {
    if (!(await this.tryBecomeActive())) return [];
    const sealed: AuditCheckpoint[] = [];
    for (;;) {
      const checkpoint = await this.sealOne();
      if (!checkpoint) return sealed;
      sealed.push(checkpoint);
    }
  }

  private async sealOne(): Promise<AuditCheckpoint | undefined> {
    const limit = this.options.maxEventsPerCheckpoint ?? 10_000;
    const previous = await lastCheckpoint(this.pool);
    const from = previous ? parsePosition(previous.toPosition) : START;
    const events = await eventHashesBetween(this.pool, from, undefined, limit);
    if (events.length === 0) return undefined;
    const body = {
      seq: (previous?.seq ?? 0) + 1,
      fromPosition: formatPosition(from),
      toPosition: formatPosition(events[events.length - 1].position),
      eventCount: events.length,
      merkleRoot: merkleRoot(events.map((e) => e.hash)),
      prevCheckpointHash: previous?.hash ?? GENESIS_CHECKPOINT_HASH,
      sealedAt: (this.options.clock?.() ?? new Date()).toISOString(),
      keyId: this.key.keyId,
    };
    const hash = checkpointHash(body);
    const checkpoint: AuditCheckpoint = { ...body, hash, signature: signHex(this.key, hash) };
    await insertCheckpoint(this.pool, checkpoint);
    return checkpoint;
  }

  start(): void {
    const intervalMs = this.options.intervalMs ?? 5_000;
    const tick = () => {
      this.running = this.sealPending()
        .catch((error) => this.options.onError?.(error))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    clearTimeout(timer);
    await this.running;
    if (this.lockClient) this.dropLock(this.lockClient);
  }

  private dropLock(client: PoolClient): void {
    if (this.lockClient !== client) return;
    this.lockClient = undefined;
    // Destroying the connection ends the session, which releases the advisory lock.
    client.release(true);
  }
}
