import { hkdfSync, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { seal, unseal } from './sealed-value';

/** Session tokens are told apart from API tokens (`vgl_…`) by this prefix. */
export const SESSION_TOKEN_PREFIX = 'vgs_';

export interface ConsoleSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly expiresAt: string;
}

interface SessionClaims {
  readonly sid: string;
  readonly uid: string;
  readonly exp: number;
}

/** Where signed-out sessions are remembered until they would have expired anyway (shared by replicas via Redis). */
export interface SignedOutSessions {
  add(sessionId: string, forMs: number): Promise<void>;
  has(sessionId: string): Promise<boolean>;
}

export function redisSignedOutSessions(redis: Redis, prefix: string): SignedOutSessions {
  const key = (sessionId: string) => `${prefix}:signed-out-session:${sessionId}`;
  return {
    add: async (sessionId, forMs) => void (await redis.set(key(sessionId), '1', 'PX', Math.max(1, Math.ceil(forMs)))),
    has: async (sessionId) => (await redis.exists(key(sessionId))) === 1,
  };
}

export function inMemorySignedOutSessions(): SignedOutSessions {
  const until = new Map<string, number>();
  return {
    add: async (sessionId, forMs) => void until.set(sessionId, Date.now() + forMs),
    has: async (sessionId) => (until.get(sessionId) ?? 0) > Date.now(),
  };
}

/** Derives independent keys for each use from one secret (the session secret, or the audit signing key). */
export function derivedKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `vigil ${purpose}`, 32));
}

/**
 * What an SSO sign-in hands the console: a short-lived, HMAC-signed bearer token the console stores and sends
 * exactly like an API token. Stateless, so every replica accepts it without a session table; the user is read
 * afresh on every request (roles as of now, disabled users refused), and sign-out is remembered until expiry.
 * A bearer token rather than a cookie keeps the API free of CSRF: browsers never attach it on their own.
 */
export class ConsoleSessions {
  constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number,
    private readonly signedOut: SignedOutSessions,
  ) {}

  issue(userId: string, now: Date): { token: string; session: ConsoleSession } {
    const exp = now.getTime() + this.ttlMs;
    const claims: SessionClaims = { sid: randomUUID(), uid: userId, exp };
    return { token: `${SESSION_TOKEN_PREFIX}${seal(this.key, claims)}`, session: toSession(claims) };
  }

  /** The live session the token stands for, or undefined (forged, expired or signed out). */
  async verify(token: string, now = new Date()): Promise<ConsoleSession | undefined> {
    if (!token.startsWith(SESSION_TOKEN_PREFIX)) return undefined;
    const claims = unseal<SessionClaims>(this.key, token.slice(SESSION_TOKEN_PREFIX.length));
    if (!claims || typeof claims.exp !== 'number' || claims.exp <= now.getTime()) return undefined;
    if (await this.signedOut.has(claims.sid)) return undefined;
    return toSession(claims);
  }

  async signOut(session: ConsoleSession, now = new Date()): Promise<void> {
    await this.signedOut.add(session.sessionId, Date.parse(session.expiresAt) - now.getTime());
  }
}

const toSession = (claims: SessionClaims): ConsoleSession => ({ sessionId: claims.sid, userId: claims.uid, expiresAt: new Date(claims.exp).toISOString() });
