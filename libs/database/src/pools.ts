import { Pool, PoolConfig } from 'pg';

/** The role the application runs as: INSERT/SELECT on the log, full access to read models only. */
export const APP_ROLE = 'vigil_app';

export interface DatabaseUrls {
  /** Owner URL: runs migrations, and is what tests use to play the attacker who controls the database. */
  readonly ownerUrl: string;
  /** Optional separate login for the app; without it the owner login switches to APP_ROLE at connect time. */
  readonly appUrl?: string;
}

/** Pool whose sessions run as the app role, so grants (not code) keep the log append-only. */
export function createAppPool(urls: DatabaseUrls, config: Omit<PoolConfig, 'connectionString'> = {}): Pool {
  if (urls.appUrl) return withErrorLogging(new Pool({ ...config, connectionString: urls.appUrl }));
  return withErrorLogging(new Pool({ max: 10, ...config, connectionString: urls.ownerUrl, options: `-c role=${APP_ROLE}` }));
}

export function createOwnerPool(ownerUrl: string, config: Omit<PoolConfig, 'connectionString'> = {}): Pool {
  return withErrorLogging(new Pool({ max: 4, ...config, connectionString: ownerUrl }));
}

/** An idle client losing its server (restart, terminate) must not crash the process: the pool replaces it. */
function withErrorLogging(pool: Pool): Pool {
  pool.on('error', (error) => process.emitWarning(`PostgreSQL idle client error: ${error.message}`));
  return pool;
}
