import { ConfigError, loadConfig } from '@vigil/config';
import { oidcSettingsOf } from './oidc-settings';

const problemsOf = (env: Record<string, string>) => {
  try {
    oidcSettingsOf(loadConfig(env));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const GOOD = { OIDC_ISSUER_URL: 'https://login.example.com/realms/ops/', OIDC_CLIENT_ID: 'vigil', OIDC_ROLE_MAP: 'sre-team=sre,eng-managers=manager,eng-managers=auditor' };

describe('OIDC settings', () => {
  it('leaves SSO off without OIDC_ISSUER_URL', () => {
    expect(oidcSettingsOf(loadConfig({}))).toBeUndefined();
  });

  it('reads the defaults and the role map (one value may give several roles)', () => {
    const settings = oidcSettingsOf(loadConfig(GOOD))!;
    expect(settings).toMatchObject({ issuer: 'https://login.example.com/realms/ops', clientId: 'vigil', clientSecret: undefined, redirectUrl: 'http://localhost:3000/auth/oidc/callback', scopes: 'openid email profile groups', roleClaim: ['groups'], provisionUsers: true });
    expect(Object.fromEntries(settings.roleMap)).toEqual({ 'sre-team': ['sre'], 'eng-managers': ['manager', 'auditor'] });
    expect(oidcSettingsOf(loadConfig({ ...GOOD, OIDC_ROLE_CLAIM: 'realm_access.roles', OIDC_PROVISION_USERS: 'false' }))).toMatchObject({ roleClaim: ['realm_access', 'roles'], provisionUsers: false });
  });

  it('names the variable of every bad value', () => {
    expect(problemsOf({ ...GOOD, OIDC_ROLE_MAP: 'sre-team=sre,eng-managers=boss' })).toEqual([{ variable: 'OIDC_ROLE_MAP', message: expect.stringContaining('boss (for eng-managers) is not a Vigil role') }]);
    expect(problemsOf({ OIDC_ISSUER_URL: 'https://login.example.com' }).map((p) => p.variable)).toEqual(['OIDC_CLIENT_ID', 'OIDC_ROLE_MAP']);
    expect(problemsOf({ ...GOOD, OIDC_ISSUER_URL: 'http://login.example.com' })).toEqual([{ variable: 'OIDC_ISSUER_URL', message: 'must be https:// (http:// only for localhost)' }]);
    expect(() => loadConfig({ ...GOOD, OIDC_ROLE_MAP: 'sre-team:sre' })).toThrow(/OIDC_ROLE_MAP: must be value=role/);
    expect(() => loadConfig({ ...GOOD, OIDC_SCOPES: 'email profile' })).toThrow(/OIDC_SCOPES: must include the openid scope/);
    expect(() => loadConfig({ ...GOOD, OIDC_REDIRECT_URL: 'localhost:3000/cb' })).toThrow(/OIDC_REDIRECT_URL: must be a URL/);
    expect(() => loadConfig({ ...GOOD, OIDC_SESSION_SECRET: 'short' })).toThrow(/OIDC_SESSION_SECRET: at least 32 characters/);
  });

  it('accepts plain http for a provider on this machine (development, tests)', () => {
    expect(problemsOf({ ...GOOD, OIDC_ISSUER_URL: 'http://127.0.0.1:8080' })).toEqual([]);
  });
});
