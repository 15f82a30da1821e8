import { KeyObject } from 'node:crypto';
import { Pool } from 'pg';
import { chainHash, eventDigest, GENESIS_HASH, merkleRoot } from '../hashing';
import { comparePositions, formatPosition, GlobalPosition, parsePosition } from '../port';
import { AuditCheckpoint, checkpointHash, eventHashesBetween, GENESIS_CHECKPOINT_HASH, readCheckpoints, verifySignature } from '../sealer';

export type AuditFailureKind =
  | 'event-hash' // stored content no longer hashes to the stored hash
  | 'chain-link' // prev_hash is not the hash of the stream's previous event
  | 'version-gap' // a stream version is missing or repeated
  | 'checkpoint-events' // the events a checkpoint covers are not the ones it sealed (edited, deleted, inserted or reordered)
  | 'checkpoint-chain' // prevCheckpointHash or seq does not follow the previous checkpoint
  | 'checkpoint-hash' // the checkpoint row was altered
  | 'checkpoint-signature' // not signed by a trusted key
  | 'checkpoint-range'; // the checkpoint does not start where the previous one ended

export interface AuditFailure {
  readonly kind: AuditFailureKind;
  readonly message: string;
  readonly position?: string;
  readonly streamId?: string;
  readonly streamVersion?: number;
  readonly checkpointSeq?: number;
}

export interface AuditReport {
  readonly intact: boolean;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly checkpointsChecked: number;
  /** Events in the global order not yet covered by a checkpoint (only stream chains protect them). */
  readonly unsealedEvents: number;
  readonly lastCheckpoint?: Pick<AuditCheckpoint, 'seq' | 'toPosition' | 'sealedAt' | 'keyId' | 'hash'>;
  /** The earliest event (in the global order) whose chain does not verify. */
  readonly firstBadPosition?: string;
  /** The first checkpoint that does not verify. */
  readonly firstBadCheckpoint?: number;
  readonly failures: readonly AuditFailure[];
}

export interface VerifyOptions {
  /** Trusted public keys by key id. Checkpoints signed by any other key fail. */
  readonly trustedKeys: ReadonlyMap<string, KeyObject>;
  readonly batchSize?: number;
  readonly onProgress?: (checked: number, total: number) => void;
}

interface ChainRow {
  stream_id: string;
  stream_version: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  prev_hash: string;
  hash: string;
  transaction_id: string;
  global_position: string;
}

/** Recomputes every stream's hash chain and every checkpoint (Merkle root, chain, signature). */
export async function verifyAuditLog(pool: Pool, options: VerifyOptions): Promise<AuditReport> {
  const batchSize = options.batchSize ?? 5_000;
  const failures: AuditFailure[] = [];
  const total = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0].n);

  let eventsChecked = 0;
  let streamsChecked = 0;
  let firstBad: GlobalPosition | undefined;
  let cursor: { streamId: string; version: string } | undefined;
  let previous: { streamId: string; version: number; hash: string } | undefined;
  let streamFailed = false;
  const noteStreamFailure = (failure: AuditFailure, position: GlobalPosition) => {
    failures.push(failure);
    if (!firstBad || comparePositions(position, firstBad) < 0) firstBad = position;
    streamFailed = true;
  };
  for (;;) {
    const { rows } = await pool.query<ChainRow>(
      `SELECT stream_id, stream_version, event_id, type, data, metadata, prev_hash, hash,
              transaction_id::text AS transaction_id, global_position
         FROM events WHERE ($1::text IS NULL OR (stream_id, stream_version) > ($1::text, $2::bigint))
         ORDER BY stream_id, stream_version LIMIT $3`,
      [cursor?.streamId ?? null, cursor?.version ?? null, batchSize],
    );
    for (const row of rows) {
      const version = Number(row.stream_version);
      const position = { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) };
      const at = formatPosition(position);
      const sameStream = previous?.streamId === row.stream_id;
      if (!sameStream) {
        streamsChecked++;
        streamFailed = false;
      }
      // Only the first break of a stream is reported: everything after it is suspect anyway.
      if (!streamFailed) {
        const expectedVersion = sameStream ? previous!.version + 1 : 0;
        const expectedPrev = sameStream ? previous!.hash : GENESIS_HASH;
        const recomputed = chainHash(row.prev_hash, version, eventDigest({ streamId: row.stream_id, eventId: row.event_id, type: row.type, data: row.data, metadata: row.metadata }));
        const where = { position: at, streamId: row.stream_id, streamVersion: version };
        if (version !== expectedVersion) {
          noteStreamFailure({ kind: 'version-gap', ...where, message: `${row.stream_id}: expected version ${expectedVersion}, found ${version} at position ${at}` }, position);
        } else if (row.prev_hash !== expectedPrev) {
          noteStreamFailure({ kind: 'chain-link', ...where, message: `${row.stream_id}@${version} (position ${at}): prev_hash does not match the previous event's hash` }, position);
        } else if (recomputed !== row.hash) {
          noteStreamFailure({ kind: 'event-hash', ...where, message: `${row.stream_id}@${version} (position ${at}): content does not match its hash` }, position);
        }
      }
      previous = { streamId: row.stream_id, version, hash: row.hash };
      eventsChecked++;
    }
    options.onProgress?.(eventsChecked, total);
    if (rows.length < batchSize) break;
    const last = rows[rows.length - 1];
    cursor = { streamId: last.stream_id, version: last.stream_version };
  }

  const checkpointResult = await verifyCheckpoints(pool, options, batchSize);
  failures.push(...checkpointResult.failures);
  return {
    intact: failures.length === 0,
    eventsChecked,
    streamsChecked,
    checkpointsChecked: checkpointResult.checked,
    unsealedEvents: checkpointResult.unsealed,
    lastCheckpoint: checkpointResult.last && {
      seq: checkpointResult.last.seq,
      toPosition: checkpointResult.last.toPosition,
      sealedAt: checkpointResult.last.sealedAt,
      keyId: checkpointResult.last.keyId,
      hash: checkpointResult.last.hash,
    },
    firstBadPosition: firstBad && formatPosition(firstBad),
    firstBadCheckpoint: checkpointResult.failures[0]?.checkpointSeq,
    failures,
  };
}

async function verifyCheckpoints(pool: Pool, options: VerifyOptions, batchSize: number) {
  const failures: AuditFailure[] = [];
  let checked = 0;
  let previous: AuditCheckpoint | undefined;
  for (;;) {
    const checkpoints = await readCheckpoints(pool, previous?.seq ?? 0, 1000);
    for (const checkpoint of checkpoints) {
      const failure = await verifyCheckpoint(pool, checkpoint, previous, options, batchSize);
      if (failure) failures.push(failure);
      previous = checkpoint;
      checked++;
    }
    if (checkpoints.length < 1000) break;
  }
  const sealedUpTo = previous ? parsePosition(previous.toPosition) : { commit: 0n, prepare: 0n };
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM events WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)`,
    [sealedUpTo.commit.toString(), sealedUpTo.prepare.toString()],
  );
  return { failures, checked, last: previous, unsealed: Number(rows[0].n) };
}

async function verifyCheckpoint(
  pool: Pool,
  checkpoint: AuditCheckpoint,
  previous: AuditCheckpoint | undefined,
  options: VerifyOptions,
  batchSize: number,
): Promise<AuditFailure | undefined> {
  const seq = checkpoint.seq;
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (seq !== expectedSeq || checkpoint.prevCheckpointHash !== (previous?.hash ?? GENESIS_CHECKPOINT_HASH)) {
    return { kind: 'checkpoint-chain', checkpointSeq: seq, message: `checkpoint ${seq}: does not follow checkpoint ${previous?.seq ?? 'genesis'}` };
  }
  if (checkpoint.fromPosition !== (previous?.toPosition ?? '0:0')) {
    return { kind: 'checkpoint-range', checkpointSeq: seq, message: `checkpoint ${seq}: starts at ${checkpoint.fromPosition}, previous ended at ${previous?.toPosition ?? '0:0'}` };
  }
  if (checkpointHash(checkpoint) !== checkpoint.hash) {
    return { kind: 'checkpoint-hash', checkpointSeq: seq, message: `checkpoint ${seq}: fields do not match its hash` };
  }
  const key = options.trustedKeys.get(checkpoint.keyId);
  if (!key || !verifySignature(key, checkpoint.hash, checkpoint.signature)) {
    return { kind: 'checkpoint-signature', checkpointSeq: seq, message: `checkpoint ${seq}: signature does not verify with a trusted key (key id ${checkpoint.keyId})` };
  }
  const hashes: string[] = [];
  let from = parsePosition(checkpoint.fromPosition);
  const to = parsePosition(checkpoint.toPosition);
  for (;;) {
    const page = await eventHashesBetween(pool, from, to, batchSize);
    hashes.push(...page.map((e) => e.hash));
    if (page.length < batchSize) break;
    from = page[page.length - 1].position;
  }
  if (hashes.length !== checkpoint.eventCount || merkleRoot(hashes) !== checkpoint.merkleRoot) {
    return {
      kind: 'checkpoint-events',
      checkpointSeq: seq,
      message: `checkpoint ${seq}: the ${hashes.length} events in (${checkpoint.fromPosition}, ${checkpoint.toPosition}] are not the ${checkpoint.eventCount} it sealed (Merkle root differs)`,
    };
  }
  return undefined;
}
