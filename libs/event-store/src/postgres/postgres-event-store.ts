import { EventEmitter } from 'node:events';
import { DatabaseError, Pool } from 'pg';
import { serialiseEvent } from '../hashing';
import {
  AppendResult,
  ConcurrencyError,
  DuplicateEventError,
  EventStore,
  ExpectedVersion,
  GlobalPosition,
  InvalidAppendError,
  NewEvent,
  validateAppend,
  NO_STREAM,
  ReadStreamOptions,
  RecordedEvent,
  START,
  SubscribeOptions,
} from '../port';
import { pollingSubscription } from '../subscriptions/polling-subscription';

const EVENT_COLUMNS = `stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash,
  transaction_id::text AS transaction_id, global_position`;

/**
 * Readers of the global order only see transactions older than the oldest one still running, so an
 * in-flight append with a lower global_position can never be skipped (it is ordered by transaction id).
 */
export const FENCE = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

interface EventRow {
  stream_id: string;
  stream_version: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: RecordedEvent['metadata'];
  recorded_at: Date;
  prev_hash: string;
  hash: string;
  transaction_id: string;
  global_position: string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
  };
}

const MAX_ANY_RETRIES = 5;

export class PostgresEventStore implements EventStore {
  /** Wakes local subscribers right after an append from this process; other processes are seen by polling. */
  private readonly appended = new EventEmitter().setMaxListeners(0);

  constructor(private readonly pool: Pool) {}

  async append(streamId: string, events: readonly NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    validateAppend(streamId, events);
    const [kind, expected] = expectation(expectedVersion);
    const serialised = events.map((event) => serialiseEvent({ streamId, ...event }));
    const params = [
      streamId,
      kind,
      expected,
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      serialised.map((s) => s.dataJson),
      serialised.map((s) => s.metadataJson),
      events.map((e) => e.metadata.recordedAt),
      serialised.map((s) => s.digest),
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        // A named statement is parsed and planned once per connection.
        const { rows } = await this.pool.query<{ out_version: string; out_transaction_id: string; out_global_position: string }>({
          name: 'vigil_append',
          text: 'SELECT * FROM vigil_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8::timestamptz[], $9::text[])',
          values: params,
        });
        rows.sort((a, b) => Number(a.out_version) - Number(b.out_version));
        this.appended.emit('appended');
        return {
          nextExpectedVersion: Number(rows[rows.length - 1].out_version),
          positions: rows.map((row) => ({ commit: BigInt(row.out_transaction_id), prepare: BigInt(row.out_global_position) })),
          idempotentReplay: false,
        };
      } catch (error) {
        if (!(error instanceof DatabaseError)) throw error;
        const replay = await this.idempotentReplay(streamId, events, expectedVersion, error);
        if (replay) return replay;
        if (error.code === 'VG409') throw new ConcurrencyError(streamId, String(expectedVersion), Number(error.detail));
        if (error.code === '23505' && error.constraint === 'events_stream_version_unique') {
          // Another writer took the same version between our read and insert.
          if (kind === 'any' && attempt < MAX_ANY_RETRIES) continue;
          throw new ConcurrencyError(streamId, String(expectedVersion), undefined);
        }
        if (error.code === '23505' && error.constraint === 'events_event_id_unique') {
          throw new DuplicateEventError(duplicateIdFrom(error) ?? events[0].eventId);
        }
        throw error;
      }
    }
  }

  /** A retried append whose events are already stored, in this stream, in the same order, succeeds unchanged. */
  private async idempotentReplay(
    streamId: string,
    events: readonly NewEvent[],
    expectedVersion: ExpectedVersion,
    error: DatabaseError,
  ): Promise<AppendResult | undefined> {
    const duplicateIds = error.code === 'VG409' || (error.code === '23505' && error.constraint === 'events_event_id_unique');
    if (!duplicateIds) return undefined;
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY stream_version`,
      [events.map((e) => e.eventId)],
    );
    if (rows.length !== events.length) return undefined;
    const stored = rows.map(toRecordedEvent);
    const firstVersion = typeof expectedVersion === 'number' ? expectedVersion + 1 : expectedVersion === 'no_stream' ? 0 : stored[0].streamVersion;
    const sameOrder = stored.every(
      (event, i) => event.streamId === streamId && event.eventId === events[i].eventId && event.streamVersion === firstVersion + i,
    );
    if (!sameOrder) return undefined;
    return { nextExpectedVersion: stored[stored.length - 1].streamVersion, positions: stored.map((e) => e.position), idempotentReplay: true };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id = $1 AND stream_version >= $2 AND ($3::timestamptz IS NULL OR recorded_at <= $3::timestamptz)
        ORDER BY stream_version`,
      [streamId, options.fromVersion ?? 0, options.asOf ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(after: GlobalPosition, limit: number): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE ${FENCE} AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      [after.commit.toString(), after.prepare.toString(), limit],
    );
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<GlobalPosition> {
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id, global_position FROM events WHERE ${FENCE}
        ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
    );
    return rows.length ? { commit: BigInt(rows[0].transaction_id), prepare: BigInt(rows[0].global_position) } : START;
  }

  subscribeToAll(after: GlobalPosition, options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return pollingSubscription((from, limit) => this.readAll(from, limit), this.appended, after, options);
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
  }
}

function expectation(expected: ExpectedVersion): ['exact' | 'any' | 'exists', number] {
  if (expected === 'any') return ['any', NO_STREAM];
  if (expected === 'stream_exists') return ['exists', NO_STREAM];
  if (expected === 'no_stream') return ['exact', NO_STREAM];
  if (!Number.isInteger(expected) || expected < NO_STREAM) throw new InvalidAppendError(`Invalid expected version ${expected}`);
  return ['exact', expected];
}

function duplicateIdFrom(error: DatabaseError): string | undefined {
  return /\(event_id\)=\(([^)]+)\)/.exec(error.detail ?? '')?.[1];
}
