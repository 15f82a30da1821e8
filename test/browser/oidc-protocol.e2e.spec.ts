/**
 * The OIDC sign-in protocol against the real app and a local OpenID Provider, without a browser: the console's
 * requests made by hand (POST login, follow /authorize, POST callback with the flow cookie). Every refusal has a
 * stable code and an AccessRefused event in the audit log.
 */
import { OidcMisbehaviour, OidcTestProvider } from '../../libs/testing/src/oidc-provider';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';

jest.setTimeout(120_000);

const REDIRECT_URL = 'http://127.0.0.1:9/auth/oidc/callback';
const SAM = { sub: 'okta|sam', email: 'sam@example.com', email_verified: true, preferred_username: 'sam', name: 'Sam Oncall', groups: ['everyone', 'sre-team'] };

describe('Sign in with OIDC (protocol)', () => {
  let provider: OidcTestProvider;
  let vigil: TestVigil;

  /** What the console does: POST login (flow cookie + authorization URL), then the provider's redirect back. */
  const startSignIn = async () => {
    const response = await fetch(`${vigil.base}/api/auth/oidc/login`, { method: 'POST' });
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('vigil_oidc_flow='))!;
    const { authorizationUrl } = (await response.json()) as { authorizationUrl: string };
    const atProvider = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const back = new URL(atProvider.headers.get('location')!);
    return { setCookie, cookie: setCookie.split(';')[0], authorizationUrl: new URL(authorizationUrl), back, params: Object.fromEntries(back.searchParams) };
  };

  const callback = (body: Record<string, string>, cookie?: string) =>
    vigil.request('POST', '/api/auth/oidc/callback', { body, headers: cookie ? { cookie } : {} });

  const signIn = async (misbehaviour?: OidcMisbehaviour) => {
    if (misbehaviour) provider.misbehave(misbehaviour);
    const flow = await startSignIn();
    return callback(flow.params, flow.cookie);
  };

  const auditedRefusals = async (actor: string) => {
    const stream = await vigil.request('GET', `/api/streams/security-${actor}`, { token: vigil.tokens.audrey });
    return (stream.body.events ?? []).filter((e: { type: string }) => e.type === 'AccessRefused').map((e: { data: { code: string } }) => e.data.code);
  };

  beforeAll(async () => {
    provider = await OidcTestProvider.start({ clientId: 'vigil-console', clientSecret: 'c0nsole secret&', user: SAM });
    vigil = await startTestVigil({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'vigil-console',
      OIDC_CLIENT_SECRET: 'c0nsole secret&',
      OIDC_REDIRECT_URL: REDIRECT_URL,
      OIDC_ROLE_MAP: 'sre-team=sre,team-leads=team-lead,auditors=auditor,eng-managers=manager',
    });
  });

  afterEach(() => provider.behave());

  afterAll(async () => {
    await vigil?.stop();
    await provider?.close();
  });

  it('tells the console SSO is on', async () => {
    expect((await vigil.request('GET', '/api/auth/oidc')).body).toEqual({ enabled: true });
  });

  it('starts the authorization code flow with PKCE S256, state and nonce, the secrets kept in an HttpOnly cookie', async () => {
    const flow = await startSignIn();
    const asked = Object.fromEntries(flow.authorizationUrl.searchParams);
    expect(flow.authorizationUrl.origin + flow.authorizationUrl.pathname).toBe(`${provider.issuer}/authorize`);
    expect(asked).toMatchObject({ response_type: 'code', client_id: 'vigil-console', redirect_uri: REDIRECT_URL, scope: 'openid email profile groups', code_challenge_method: 'S256' });
    expect(asked.state).toMatch(/^[\w-]{43}$/);
    expect(asked.nonce).toMatch(/^[\w-]{43}$/);
    expect(asked.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(flow.setCookie).toMatch(/HttpOnly/);
    expect(flow.setCookie).toMatch(/SameSite=Lax/);
    expect(flow.setCookie).toMatch(/Path=\/api\/auth\/oidc/);
    expect(flow.back.origin + flow.back.pathname).toBe(REDIRECT_URL);
    expect(flow.params.state).toBe(asked.state);
  });

  it('creates the user at the first sign-in with the mapped role and hands back a session token that works like an API token', async () => {
    const signedIn = await signIn();
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ token: expect.stringMatching(/^vgs_/), user: { id: 'sam', email: 'sam@example.com', roles: ['sre'] } });
    expect(Date.parse(signedIn.body.expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    expect(provider.clientAuthentications.at(-1)).toBe('client_secret_basic');
    const me = await vigil.request('GET', '/api/me', { token: signedIn.body.token });
    expect(me.body).toMatchObject({ id: 'sam', roles: ['sre'], canChange: true });
    const stream = await vigil.request('GET', '/api/streams/security-sam', { token: vigil.tokens.audrey });
    expect(stream.body.events.find((e: { type: string }) => e.type === 'SignedIn').data).toMatchObject({ userId: 'sam', method: 'oidc', issuer: provider.issuer, subject: 'okta|sam', roles: ['sre'] });
    const registered = await vigil.request('GET', '/api/streams/user-sam', { token: vigil.tokens.audrey });
    expect(registered.body.events[0]).toMatchObject({ type: 'UserRegistered', data: { roles: ['sre'], email: 'sam@example.com' } });
  });

  it("refreshes the user's roles from the provider's groups at every sign-in", async () => {
    provider.user = { ...SAM, groups: ['eng-managers', 'auditors'] };
    const signedIn = await signIn();
    expect(signedIn.body.user.roles.sort()).toEqual(['auditor', 'manager']);
    const user = await vigil.request('GET', '/api/streams/user-sam', { token: vigil.tokens.audrey });
    expect(user.body.events.at(-1)).toMatchObject({ type: 'UserRolesChanged', data: { from: ['sre'], to: expect.arrayContaining(['auditor', 'manager']) }, metadata: { actor: 'system:oidc' } });
    provider.user = SAM;
  });

  it('signs an existing user in by verified email (case-insensitive) and gives them the mapped roles', async () => {
    provider.user = { sub: 'okta|lee', email: 'Lee@Example.com', email_verified: true, groups: ['team-leads'] };
    const signedIn = await signIn();
    expect(signedIn.body.user).toMatchObject({ id: 'lee', roles: ['team-lead'] });
    provider.user = SAM;
  });

  it('accepts ES256 tokens and tokens expired less than the clock skew ago', async () => {
    expect((await signIn({ algorithm: 'ES256' })).status).toBe(200);
    expect((await signIn({ expiresInSeconds: -30 })).status).toBe(200);
  });

  it('caches the provider keys and fetches them again only for an unknown kid (key rotation)', async () => {
    await signIn();
    const fetches = provider.jwksFetches;
    expect((await signIn()).status).toBe(200);
    expect(provider.jwksFetches).toBe(fetches);
    provider.rotateKeys();
    expect((await signIn()).status).toBe(200);
    expect(provider.jwksFetches).toBe(fetches + 1);
  });

  it.each<[string, string, OidcMisbehaviour]>([
    ['a token for another application', 'OIDC.WRONG_AUDIENCE', { audience: 'someone-else' }],
    ['an expired token', 'OIDC.TOKEN_EXPIRED', { expiresInSeconds: -300 }],
    ['a token issued in the future', 'OIDC.TOKEN_NOT_YET_VALID', { issuedAtOffsetSeconds: 600 }],
    ['a tampered token', 'OIDC.BAD_SIGNATURE', { tamperedClaims: true }],
    ['a token signed with a key the provider does not publish', 'OIDC.UNKNOWN_KEY', { unpublishedKey: true }],
    ['an unsigned token (alg none)', 'OIDC.UNSUPPORTED_ALGORITHM', { algorithm: 'none' }],
    ['an HS256 token', 'OIDC.UNSUPPORTED_ALGORITHM', { algorithm: 'HS256' }],
    ['a token from another issuer', 'OIDC.WRONG_ISSUER', { issuer: 'https://evil.example.com' }],
    ["a token for another sign-in's nonce", 'OIDC.BAD_NONCE', { nonce: 'not-this-one' }],
  ])('refuses %s with %s, in words, and audits it', async (_, code, misbehaviour) => {
    const refused = await signIn(misbehaviour);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe(code);
    expect(refused.body.message.length).toBeGreaterThan(20);
    expect(await auditedRefusals('anonymous')).toContain(code);
  });

  it('refuses a callback whose state does not match the flow cookie, or that has no flow cookie', async () => {
    const flow = await startSignIn();
    expect((await callback({ ...flow.params, state: 'forged' }, flow.cookie)).body.code).toBe('OIDC.BAD_STATE');
    expect((await callback(flow.params)).body.code).toBe('OIDC.BAD_STATE');
    const forgedCookie = `${flow.cookie.slice(0, -4)}AAAA`;
    expect((await callback(flow.params, forgedCookie)).body.code).toBe('OIDC.BAD_STATE');
  });

  it('refuses a replayed code', async () => {
    const flow = await startSignIn();
    expect((await callback(flow.params, flow.cookie)).status).toBe(200);
    const replayed = await callback(flow.params, flow.cookie);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('OIDC.CODE_REJECTED');
  });

  it('shows what the provider said when it did not sign the person in', async () => {
    const refused = await signIn({ denyAccess: true });
    expect(refused.body.code).toBe('OIDC.PROVIDER_ERROR');
    expect(refused.body.message).toContain('access_denied');
  });

  it('refuses an identity whose groups map to no role (403), and one without a verified email', async () => {
    provider.user = { ...SAM, groups: ['everyone'] };
    const noRole = await signIn();
    expect(noRole.status).toBe(403);
    expect(noRole.body).toMatchObject({ code: 'OIDC.NO_ROLE', message: expect.stringContaining('everyone') });
    expect(await auditedRefusals('sam_example.com')).toContain('OIDC.NO_ROLE');
    provider.user = { ...SAM, email_verified: false };
    expect((await signIn()).body.code).toBe('OIDC.NO_EMAIL');
    provider.user = SAM;
  });

  it('ends the session at sign-out; a forged session token is refused', async () => {
    const { token } = (await signIn()).body;
    expect((await vigil.request('POST', '/api/auth/oidc/sign-out', { token })).status).toBe(204);
    const after = await vigil.request('GET', '/api/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/sign in again/);
    const stream = await vigil.request('GET', '/api/streams/security-sam', { token: vigil.tokens.audrey });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toContain('SignedOut');
    const [body, signature] = (await signIn()).body.token.slice(4).split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = `vgs_${Buffer.from(JSON.stringify({ ...claims, uid: 'admin' })).toString('base64url')}.${signature}`;
    expect((await vigil.request('GET', '/api/me', { token: forged })).status).toBe(401);
  });
});

describe('Sign in with OIDC as a public client (no secret: PKCE alone)', () => {
  let provider: OidcTestProvider;
  let vigil: TestVigil;

  beforeAll(async () => {
    provider = await OidcTestProvider.start({ clientId: 'vigil-public', user: SAM });
    vigil = await startTestVigil({ OIDC_ISSUER_URL: provider.issuer, OIDC_CLIENT_ID: 'vigil-public', OIDC_REDIRECT_URL: REDIRECT_URL, OIDC_ROLE_MAP: 'sre-team=sre' });
  });

  afterAll(async () => {
    await vigil?.stop();
    await provider?.close();
  });

  it('signs in sending no client secret', async () => {
    const login = await fetch(`${vigil.base}/api/auth/oidc/login`, { method: 'POST' });
    const cookie = login.headers.getSetCookie()[0].split(';')[0];
    const atProvider = await fetch(((await login.json()) as { authorizationUrl: string }).authorizationUrl, { redirect: 'manual' });
    const params = Object.fromEntries(new URL(atProvider.headers.get('location')!).searchParams);
    const signedIn = await vigil.request('POST', '/api/auth/oidc/callback', { body: params, headers: { cookie } });
    expect(signedIn.body.user).toMatchObject({ id: 'sam', roles: ['sre'] });
    expect(provider.clientAuthentications).toEqual(['none']);
  });
});

describe('Without OIDC configuration', () => {
  let vigil: TestVigil;

  beforeAll(async () => {
    vigil = await startTestVigil();
  });

  afterAll(async () => {
    await vigil?.stop();
  });

  it('tells the console SSO is off and refuses to start a sign-in', async () => {
    expect((await vigil.request('GET', '/api/auth/oidc')).body).toEqual({ enabled: false });
    const login = await vigil.request('POST', '/api/auth/oidc/login');
    expect(login.status).toBe(404);
    expect(login.body.code).toBe('OIDC.NOT_CONFIGURED');
    expect((await vigil.request('GET', '/api/me', { token: vigil.tokens.lee })).body).toMatchObject({ id: 'lee', roles: ['team-lead'] });
  });
});
