import { Pool, PoolClient } from 'pg';
import { formatPosition, GlobalPosition, parsePosition } from '../port';
import { AuditCheckpoint } from './checkpoint';

interface CheckpointRow {
  seq: string;
  from_commit: string;
  from_prepare: string;
  to_commit: string;
  to_prepare: string;
  event_count: number;
  merkle_root: string;
  prev_checkpoint_hash: string;
  sealed_at: Date;
  key_id: string;
  hash: string;
  signature: string;
}

function toCheckpoint(row: CheckpointRow): AuditCheckpoint {
  return {
    seq: Number(row.seq),
    fromPosition: `${row.from_commit}:${row.from_prepare}`,
    toPosition: `${row.to_commit}:${row.to_prepare}`,
    eventCount: row.event_count,
    merkleRoot: row.merkle_root,
    prevCheckpointHash: row.prev_checkpoint_hash,
    sealedAt: row.sealed_at.toISOString(),
    keyId: row.key_id,
    hash: row.hash,
    signature: row.signature,
  };
}

export async function readCheckpoints(db: Pool | PoolClient, afterSeq = 0, limit = 1000): Promise<AuditCheckpoint[]> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT seq, from_commit::text, from_prepare, to_commit::text, to_prepare, event_count, merkle_root, prev_checkpoint_hash,
            sealed_at, key_id, hash, signature FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2`,
    [afterSeq, limit],
  );
  return rows.map(toCheckpoint);
}

export async function lastCheckpoint(db: Pool | PoolClient): Promise<AuditCheckpoint | undefined> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT seq, from_commit::text, from_prepare, to_commit::text, to_prepare, event_count, merkle_root, prev_checkpoint_hash,
            sealed_at, key_id, hash, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`,
  );
  return rows[0] && toCheckpoint(rows[0]);
}

export async function insertCheckpoint(db: Pool | PoolClient, checkpoint: AuditCheckpoint): Promise<void> {
  const from = parsePosition(checkpoint.fromPosition);
  const to = parsePosition(checkpoint.toPosition);
  await db.query(
    `INSERT INTO audit_checkpoints (seq, from_commit, from_prepare, to_commit, to_prepare, event_count, merkle_root,
       prev_checkpoint_hash, sealed_at, key_id, hash, signature) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
    [checkpoint.seq, from.commit.toString(), from.prepare.toString(), to.commit.toString(), to.prepare.toString(), checkpoint.eventCount,
      checkpoint.merkleRoot, checkpoint.prevCheckpointHash, checkpoint.sealedAt, checkpoint.keyId, checkpoint.hash, checkpoint.signature],
  );
}

/** Hashes of the events in (from, to] of the fenced global order, in that order. */
export async function eventHashesBetween(
  db: Pool | PoolClient,
  from: GlobalPosition,
  to: GlobalPosition | undefined,
  limit: number,
): Promise<{ hash: string; position: GlobalPosition }[]> {
  const { rows } = await db.query<{ hash: string; transaction_id: string; global_position: string }>(
    `SELECT hash, transaction_id::text AS transaction_id, global_position FROM events
      WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
        AND ($3::text IS NULL OR (transaction_id, global_position) <= ($3::text::xid8, $4::bigint))
      ORDER BY events.transaction_id, events.global_position LIMIT $5`,
    [from.commit.toString(), from.prepare.toString(), to ? to.commit.toString() : null, to ? to.prepare.toString() : null, limit],
  );
  return rows.map((row) => ({ hash: row.hash, position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) } }));
}

export { formatPosition };
