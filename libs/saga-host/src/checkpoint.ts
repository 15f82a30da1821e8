import { Pool, PoolClient } from 'pg';
import { GlobalPosition, START } from '@vigil/event-store';

/** The saga's row in projection_checkpoints (the table and lock namespace projections use). */
export const SAGA_CHECKPOINT_NAME = 'saga:approval';

type Queryable = Pool | PoolClient;

export async function readSagaCheckpoint(db: Queryable, name = SAGA_CHECKPOINT_NAME): Promise<GlobalPosition> {
  const { rows } = await db.query<{ commit_position: string; prepare_position: string }>(
    `SELECT commit_position::text AS commit_position, prepare_position::text AS prepare_position FROM projection_checkpoints WHERE name = $1`,
    [name],
  );
  return rows.length ? { commit: BigInt(rows[0].commit_position), prepare: BigInt(rows[0].prepare_position) } : START;
}

/** Moves the checkpoint forward only: a former holder of the lock that writes late cannot move it back. */
export async function advanceSagaCheckpoint(db: Queryable, position: GlobalPosition, name = SAGA_CHECKPOINT_NAME): Promise<void> {
  await db.query(
    `INSERT INTO projection_checkpoints (name, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position, updated_at = now()
     WHERE (projection_checkpoints.commit_position, projection_checkpoints.prepare_position) < (excluded.commit_position, excluded.prepare_position)`,
    [name, position.commit.toString(), position.prepare.toString()],
  );
}

/**
 * Puts the checkpoint anywhere, backwards included: the saga then runs again over what follows (harmless, its
 * outputs are idempotent). For operators and specs; stop the host first.
 */
export async function setSagaCheckpoint(db: Queryable, position: GlobalPosition, name = SAGA_CHECKPOINT_NAME): Promise<void> {
  await db.query(
    `INSERT INTO projection_checkpoints (name, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position, updated_at = now()`,
    [name, position.commit.toString(), position.prepare.toString()],
  );
}

/** Same lock namespace as the projection runners: one active saga host per database. */
export const SAGA_LOCK_SQL = `SELECT pg_try_advisory_lock(hashtext('vigil.projection'), hashtext($1)) AS locked`;
export const SAGA_UNLOCK_SQL = `SELECT pg_advisory_unlock(hashtext('vigil.projection'), hashtext($1))`;
