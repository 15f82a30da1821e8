import { createHash, randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { DomainError } from '@vigil/domain/shared';
import { isRole, Role, ROLES } from './roles';

export interface User {
  readonly id: string;
  readonly email: string | null;
  readonly slackId: string | null;
  readonly roles: readonly Role[];
  readonly createdAt: string;
  readonly disabled: boolean;
}

export interface NewUser {
  readonly id: string;
  readonly roles: readonly string[];
  readonly email?: string;
  readonly slackId?: string;
}

const USER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Tokens are random, shown once, and stored only as sha256 hashes. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `vgl_${randomBytes(32).toString('base64url')}`;
}

interface UserRow {
  id: string;
  email: string | null;
  slack_id: string | null;
  roles: string[];
  created_at: Date;
  disabled_at: Date | null;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  slackId: row.slack_id,
  roles: row.roles.filter(isRole),
  createdAt: row.created_at.toISOString(),
  disabled: row.disabled_at !== null,
});

/** People and their roles. Role checks at vote and at execution time read this table (roles as of *now*). */
export class UsersRepository {
  constructor(private readonly pool: Pool) {}

  /** Creates the user with a fresh token and returns the token (the only time it exists in clear). */
  async add(user: NewUser, now: string): Promise<{ user: User; token: string }> {
    validateNewUser(user);
    const token = newToken();
    try {
      const { rows } = await this.pool.query<UserRow>(
        `INSERT INTO users (id, email, slack_id, roles, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, email, slack_id, roles, created_at, disabled_at`,
        [user.id, user.email ?? null, user.slackId ?? null, [...new Set(user.roles)], hashToken(token), now],
      );
      return { user: toUser(rows[0]), token };
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DomainError('USER.ALREADY_EXISTS', 'conflict', `User ${user.id} (or that email / Slack id) already exists`);
      throw error;
    }
  }

  async findByToken(token: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT id, email, slack_id, roles, created_at, disabled_at FROM users WHERE token_hash = $1`,
      [hashToken(token)],
    );
    return rows[0] && toUser(rows[0]);
  }

  async findById(id: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(`SELECT id, email, slack_id, roles, created_at, disabled_at FROM users WHERE id = $1`, [id]);
    return rows[0] && toUser(rows[0]);
  }

  async findBySlackIdOrEmail(slackId: string | undefined, email: string | undefined): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT id, email, slack_id, roles, created_at, disabled_at FROM users
        WHERE ($1::text IS NOT NULL AND slack_id = $1) OR ($2::text IS NOT NULL AND lower(email) = lower($2))
        ORDER BY (slack_id = $1) DESC NULLS LAST LIMIT 1`,
      [slackId ?? null, email ?? null],
    );
    return rows[0] && toUser(rows[0]);
  }

  async withRole(role: Role): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT id, email, slack_id, roles, created_at, disabled_at FROM users WHERE $1 = ANY(roles) AND disabled_at IS NULL ORDER BY id`,
      [role],
    );
    return rows.map(toUser);
  }

  async setRoles(id: string, roles: readonly string[]): Promise<User> {
    for (const role of roles) if (!isRole(role)) throw new DomainError('USER.UNKNOWN_ROLE', 'invalid', `Unknown role ${role}; roles are ${ROLES.join(', ')}`);
    const { rows } = await this.pool.query<UserRow>(
      `UPDATE users SET roles = $2 WHERE id = $1 RETURNING id, email, slack_id, roles, created_at, disabled_at`,
      [id, [...new Set(roles)]],
    );
    if (!rows[0]) throw new DomainError('USER.NOT_FOUND', 'not_found', `No user ${id}`);
    return toUser(rows[0]);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM users`);
    return rows[0].n;
  }
}

function validateNewUser(user: NewUser): void {
  if (!USER_ID.test(user.id)) throw new DomainError('USER.INVALID_ID', 'invalid', 'User names are 1–63 characters: lowercase letters, digits, . _ -');
  if (user.roles.length === 0) throw new DomainError('USER.ROLES_REQUIRED', 'invalid', `Give at least one role: ${ROLES.join(', ')}`);
  for (const role of user.roles) if (!isRole(role)) throw new DomainError('USER.UNKNOWN_ROLE', 'invalid', `Unknown role ${role}; roles are ${ROLES.join(', ')}`);
  if (user.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(user.email)) throw new DomainError('USER.INVALID_EMAIL', 'invalid', `Not an email address: ${user.email}`);
  if (user.slackId !== undefined && !/^[UW][A-Z0-9]{2,}$/.test(user.slackId)) throw new DomainError('USER.INVALID_SLACK_ID', 'invalid', `Not a Slack user id (U…/W…): ${user.slackId}`);
}
