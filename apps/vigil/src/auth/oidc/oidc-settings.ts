import { ConfigError, VigilConfig } from '@vigil/config';
import { isRole, Role, ROLES } from '@vigil/application';

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Absent for a public client: PKCE alone protects the code. */
  readonly clientSecret?: string;
  readonly redirectUrl: string;
  readonly scopes: string;
  /** Path into the ID token's claims, e.g. ['groups'] or ['realm_access', 'roles']. */
  readonly roleClaim: readonly string[];
  /** Claim value → Vigil roles (one value may grant several roles when listed twice). */
  readonly roleMap: ReadonlyMap<string, readonly Role[]>;
  readonly provisionUsers: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The OIDC part of the configuration, or undefined when OIDC_ISSUER_URL is unset (SSO off, nothing changes).
 * Field formats are checked by loadConfig; what needs several variables or the role list is checked here, at start-up.
 */
export function oidcSettingsOf(config: VigilConfig): OidcSettings | undefined {
  if (!config.OIDC_ISSUER_URL) return undefined;
  const problems: { variable: string; message: string }[] = [];
  const issuer = new URL(config.OIDC_ISSUER_URL);
  // Plain http only to a provider on this machine (development, tests): tokens and secrets cross this link.
  if (issuer.protocol !== 'https:' && !LOOPBACK.has(issuer.hostname)) problems.push({ variable: 'OIDC_ISSUER_URL', message: 'must be https:// (http:// only for localhost)' });
  if (!config.OIDC_CLIENT_ID) problems.push({ variable: 'OIDC_CLIENT_ID', message: 'required with OIDC_ISSUER_URL' });
  if (!config.OIDC_ROLE_MAP) problems.push({ variable: 'OIDC_ROLE_MAP', message: 'required with OIDC_ISSUER_URL: value=role pairs, e.g. sre-team=sre,eng-managers=manager' });
  const roleMap = new Map<string, Role[]>();
  for (const pair of config.OIDC_ROLE_MAP?.split(',') ?? []) {
    const [value, role] = pair.split('=').map((part) => part.trim());
    if (!isRole(role)) {
      problems.push({ variable: 'OIDC_ROLE_MAP', message: `${role} (for ${value}) is not a Vigil role; roles are ${ROLES.join(', ')}` });
      continue;
    }
    roleMap.set(value, [...new Set([...(roleMap.get(value) ?? []), role])]);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    issuer: config.OIDC_ISSUER_URL.replace(/\/+$/, ''),
    clientId: config.OIDC_CLIENT_ID!,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUrl: config.OIDC_REDIRECT_URL,
    scopes: config.OIDC_SCOPES.trim().split(/\s+/).join(' '),
    roleClaim: config.OIDC_ROLE_CLAIM.split('.'),
    roleMap,
    provisionUsers: config.OIDC_PROVISION_USERS === 'true' || config.OIDC_PROVISION_USERS === '1',
  };
}
