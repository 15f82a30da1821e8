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

interface AppendedRow {
  out_version: string;
  out_transaction_id: string;
  out_global_position: string;
}

/**
 * The single-event form of vigil_append (same chain formula, same expected-version rule): reads the stream head,
 * inserts only when the expectation holds, and returns no row otherwise.
 */
const APPEND_ONE_SQL = `
  WITH head AS (
    SELECT stream_version, hash FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1
  ), prev AS (
    SELECT coalesce((SELECT stream_version FROM head), -1) AS version, coalesce((SELECT hash FROM head), repeat('0', 64)) AS hash
  )
  INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash)
  SELECT $1, prev.version + 1, $4::uuid, $5, $6::jsonb, $7::jsonb, $8::timestamptz, prev.hash,
         encode(sha256(convert_to(prev.hash || ':' || (prev.version + 1)::text || ':' || $9, 'UTF8')), 'hex')
    FROM prev
   WHERE $2 = 'any' OR ($2 = 'exact' AND prev.version = $3::bigint) OR ($2 = 'exists' AND prev.version >= 0)
  RETURNING stream_version AS out_version, transaction_id::text AS out_transaction_id, global_position AS out_global_position`;

export class PostgresEventStore implements EventStore {
  /** Wakes local subscribers right after an append from this process; other processes are seen by polling. */
  private readonly appended = new EventEmitter().setMaxListeners(0);

  constructor(private readonly pool: Pool) {}

  /** Called after every append from this process: lets in-process followers (saga, projections) wake at once. */
  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

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
        const rows = events.length === 1 ? await this.appendOne(params) : await this.appendMany(params);
        if (rows.length === 0) {
          // The single-event statement inserts nothing when the expected version does not hold.
          const head = await this.pool.query<{ v: string }>(`SELECT coalesce(max(stream_version), -1) AS v FROM events WHERE stream_id = $1`, [streamId]);
          throw Object.assign(new DatabaseError('VIGIL.WRONG_EXPECTED_VERSION', 0, 'error'), { code: 'VG409', detail: head.rows[0].v });
        }
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

  /** One event, one SQL statement (no PL/pgSQL call): the common case of a command producing a single event. */
  private async appendOne(params: unknown[]): Promise<AppendedRow[]> {
    const [streamId, kind, expected, ids, types, data, metadata, recordedAt, digests] = params as [string, string, number, string[], string[], string[], string[], string[], string[]];
    const { rows } = await this.pool.query<AppendedRow>({
      // A named statement is parsed and planned once per connection.
      name: 'vigil_append_one',
      text: APPEND_ONE_SQL,
      values: [streamId, kind, expected, ids[0], types[0], data[0], metadata[0], recordedAt[0], digests[0]],
    });
    return rows;
  }

  private async appendMany(params: unknown[]): Promise<AppendedRow[]> {
    const { rows } = await this.pool.query<AppendedRow>({
      name: 'vigil_append',
      text: 'SELECT * FROM vigil_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8::timestamptz[], $9::text[])',
      values: params,
    });
    return rows.sort((a, b) => Number(a.out_version) - Number(b.out_version));
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
