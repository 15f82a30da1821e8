import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { changeRoles, registerUser, Role, User, UsersRepository } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import { EventStore } from '@vigil/event-store';
import { SecurityAudit } from '../security-audit';
import { ConsoleSession, ConsoleSessions } from './console-sessions';
import { IdTokenClaims } from './id-token';
import { OidcProviderClient } from './oidc-provider-client';
import { OidcRefusal } from './oidc-refusal';
import { OidcSettings } from './oidc-settings';
import { seal, unseal } from './sealed-value';

/** The browser holds the flow's secrets between /login and the callback, sealed, in an HttpOnly cookie. */
export const FLOW_COOKIE = 'vigil_oidc_flow';
/** How long someone may take at the provider's sign-in page. */
const FLOW_TTL_MS = 10 * 60 * 1000;
const ACTOR = 'system:oidc';

interface Flow {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly exp: number;
}

export interface CallbackInput {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly errorDescription?: string;
}

export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  readonly correlationId: string;
}

export interface SignedIn {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: { readonly id: string; readonly email: string | null; readonly roles: readonly Role[] };
}

const random = () => randomBytes(32).toString('base64url');

/**
 * Authorization Code + PKCE (S256) with state and nonce; the identity becomes a Vigil user by verified email
 * (created at the first sign-in unless OIDC_PROVISION_USERS=false) whose roles are set from the role claim at
 * every sign-in: the provider's groups are the source of truth. Every refusal is audited with its code.
 */
export class OidcSignIn {
  private readonly logger = new Logger('oidc');

  constructor(
    private readonly settings: OidcSettings,
    private readonly provider: OidcProviderClient,
    private readonly flowKey: Buffer,
    private readonly sessions: ConsoleSessions,
    private readonly users: UsersRepository,
    private readonly store: EventStore,
    private readonly audit: SecurityAudit,
  ) {}

  get redirectsOverHttps(): boolean {
    return this.settings.redirectUrl.startsWith('https:');
  }

  async start(now: Date, request: RequestFacts): Promise<{ authorizationUrl: string; flowCookie: string; maxAgeSeconds: number }> {
    const flow: Flow = { state: random(), nonce: random(), verifier: random(), exp: now.getTime() + FLOW_TTL_MS };
    const authorizationUrl = await this.refusingAudited(request, undefined, () => this.provider.authorizationUrl(flow));
    return { authorizationUrl, flowCookie: seal(this.flowKey, flow), maxAgeSeconds: FLOW_TTL_MS / 1000 };
  }

  async complete(input: CallbackInput, flowCookie: string | undefined, now: Date, request: RequestFacts): Promise<SignedIn> {
    let email: string | undefined;
    return this.refusingAudited(request, () => email, async () => {
      const flow = flowCookie ? unseal<Flow>(this.flowKey, flowCookie) : undefined;
      if (!flow || flow.exp <= now.getTime()) throw new OidcRefusal('OIDC.BAD_STATE', flowCookie ? '(the sign-in started more than 10 minutes ago)' : '(no sign-in in progress in this browser)');
      if (!input.state || !sameText(input.state, flow.state)) throw new OidcRefusal('OIDC.BAD_STATE', '(state does not match)');
      if (input.error) throw new OidcRefusal('OIDC.PROVIDER_ERROR', `(${input.error}${input.errorDescription ? `: ${input.errorDescription}` : ''})`);
      if (!input.code) throw new OidcRefusal('OIDC.CODE_REJECTED', '(the provider sent no code)');
      const claims = await this.provider.exchange(input.code, flow, Math.floor(now.getTime() / 1000));
      email = typeof claims.email === 'string' ? claims.email : undefined;
      const user = await this.vigilUserOf(claims, now);
      const { token, session } = this.sessions.issue(user.id, now);
      await this.audit.recordSignIn(
        { userId: user.id, sessionId: session.sessionId, method: 'oidc', issuer: claims.iss, subject: claims.sub, email: user.email, roles: user.roles, expiresAt: session.expiresAt, correlationId: request.correlationId },
        now.toISOString(),
      );
      return { token, expiresAt: session.expiresAt, user: { id: user.id, email: user.email, roles: user.roles } };
    });
  }

  async signOut(session: ConsoleSession, correlationId: string, now: Date): Promise<void> {
    await this.sessions.signOut(session, now);
    await this.audit.recordSignOut({ userId: session.userId, sessionId: session.sessionId, method: 'oidc', correlationId }, now.toISOString());
  }

  private async vigilUserOf(claims: IdTokenClaims, now: Date): Promise<User> {
    // Email is the link to existing users, so it must be one the provider vouches for.
    if (typeof claims.email !== 'string' || claims.email === '') throw new OidcRefusal('OIDC.NO_EMAIL', '(the ID token has no email claim; is the email scope granted?)');
    if (claims.email_verified === false || claims.email_verified === 'false') throw new OidcRefusal('OIDC.NO_EMAIL', `(${claims.email} is not verified)`);
    const values = claimValues(claims, this.settings.roleClaim);
    const roles = [...new Set(values.flatMap((value) => this.settings.roleMap.get(value) ?? []))];
    if (roles.length === 0) {
      // The person sees their own groups, never the deployment's role map.
      throw new OidcRefusal('OIDC.NO_ROLE', `(${this.settings.roleClaim.join('.')}: ${values.length ? values.join(', ') : 'none'})`);
    }
    const existing = await this.users.findBySlackIdOrEmail(undefined, claims.email);
    const at = now.toISOString();
    if (existing) {
      if (existing.disabled) throw new OidcRefusal('OIDC.USER_DISABLED', `(${existing.id})`);
      return sameRoles(existing.roles, roles) ? existing : changeRoles(this.users, this.store, existing.id, roles, ACTOR, at);
    }
    if (!this.settings.provisionUsers) throw new OidcRefusal('OIDC.UNKNOWN_USER', `(${claims.email})`);
    return this.provision(claims, claims.email, roles, at);
  }

  /** A readable id from the username or email; if taken, made unique with a hash of the provider's subject. */
  private async provision(claims: IdTokenClaims, email: string, roles: readonly Role[], at: string): Promise<User> {
    const base = userIdFrom(typeof claims.preferred_username === 'string' ? claims.preferred_username.split('@')[0] : email.split('@')[0]);
    const unique = `${base.slice(0, 56)}-${createHash('sha256').update(`${claims.iss} ${claims.sub}`).digest('hex').slice(0, 6)}`;
    const register = async (id: string) => (await registerUser(this.users, this.store, { id, email, roles }, ACTOR, at)).user;
    try {
      return await register(base);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'USER.ALREADY_EXISTS')) throw error;
      return register(unique);
    }
  }

  /** Refusals become audited 401/403s with their stable code; anything else is a bug and stays a 500. */
  private async refusingAudited<T>(request: RequestFacts, actor: (() => string | undefined) | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof OidcRefusal)) throw error;
      await this.audit
        .recordRefusal({ actor: actor?.() ?? 'anonymous', code: error.code, detail: error.detail, method: request.method, path: request.path, correlationId: request.correlationId })
        .catch((auditError: Error) => this.logger.error(`could not audit a refused sign-in: ${auditError.message}`));
      throw new DomainError(error.code, error.kind, error.message);
    }
  }
}

/** The claim's values, whether the provider sends an array, a string, or a space/comma-separated string. */
function claimValues(claims: IdTokenClaims, path: readonly string[]): string[] {
  let value: unknown = claims;
  for (const step of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

function userIdFrom(name: string): string {
  const id = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63);
  return id || 'user';
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((role) => b.includes(role));

/** Constant-time, whatever the lengths. */
function sameText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
