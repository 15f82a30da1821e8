/**
 * Sign in with SSO in a real browser (Debian's chromium via playwright-core): the console, the real app and a local
 * OpenID Provider. The person lands on the approval queue as the Vigil user their email maps to, with the role their
 * provider group maps to, and can act on it; a bad ID token is refused in words on the sign-in page.
 * Screenshots go to test-artifacts/browser/.
 */
import { createServer, request as httpRequest, Server } from 'node:http';
import { Page } from 'playwright-core';
import { ArgoCdContractServer } from '@vigil/integrations/argocd';
import { getFreePort } from '@vigil/testing';
import { OidcMisbehaviour, OidcTestProvider } from '../../libs/testing/src/oidc-provider';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';
import { Browser, launchChromium } from './support/chromium';
import { ensureConsoleBuilt } from './support/console-build';

jest.setTimeout(180_000);

const TAYLOR = { sub: 'idp|taylor', email: 'taylor@example.com', email_verified: true, preferred_username: 'taylor', name: 'Taylor Lead', groups: ['staff', 'team-leads'] };

/**
 * Vigil in front of a reverse proxy on a port chosen before Vigil starts (the test app listens on a random port),
 * so OIDC_REDIRECT_URL can name the console's address, as it would in a real deployment.
 */
async function reverseProxy(): Promise<{ url: string; forwardTo(base: string): void; close(): Promise<void> }> {
  const port = await getFreePort();
  let target: URL | undefined;
  const server: Server = createServer((req, res) => {
    if (!target) return void res.writeHead(503).end();
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy()); // the browser went away (SSE included)
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    forwardTo: (base) => (target = new URL(base)),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('Sign in with SSO in chromium', () => {
  let argo: ArgoCdContractServer;
  let provider: OidcTestProvider;
  let proxy: Awaited<ReturnType<typeof reverseProxy>>;
  let vigil: TestVigil;
  let browser: Browser;
  let taylor: Page;
  /** One browser for the refused sign-ins: each refusal leaves it on the sign-in page, ready for the next. */
  let refused: Page;
  let approvalId: string;

  const signInWithSso = async (page: Page) => {
    await page.goto(proxy.url);
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    argo = await ArgoCdContractServer.start();
    argo.addApplication({ name: 'payments', revisions: ['a1b2c3', 'd4e5f6'] });
    // A confidential client that the provider wants to see its secret in the form body (client_secret_post).
    provider = await OidcTestProvider.start({ clientId: 'vigil', clientSecret: 'browser-spec-secret', clientAuthMethod: 'client_secret_post', user: TAYLOR });
    proxy = await reverseProxy();
    vigil = await startTestVigil({
      ARGOCD_URL: argo.url,
      ARGOCD_TOKEN: argo.token,
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'vigil',
      OIDC_CLIENT_SECRET: 'browser-spec-secret',
      OIDC_REDIRECT_URL: `${proxy.url}/auth/oidc/callback`,
      OIDC_ROLE_MAP: 'team-leads=team-lead,sre-team=sre,auditors=auditor',
    });
    proxy.forwardTo(vigil.base);
    browser = await launchChromium();
    const anomaly = await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.12, score: 6, severity: 'error' },
    });
    const proposal = await vigil.request('POST', '/api/proposals', {
      token: vigil.tokens.alice,
      body: { anomalyId: anomaly.body.id, action: { kind: 'argocd.rollback', target: 'argocd:payments', params: {} }, rationale: 'error rate jumped right after deploying d4e5f6' },
    });
    expect(proposal.status).toBe(201);
    approvalId = proposal.body.approvalId;
  });

  afterEach(() => provider.behave());

  afterAll(async () => {
    await browser?.close();
    await vigil?.stop();
    await proxy?.close();
    await provider?.close();
    await argo?.close();
  });

  it('offers SSO next to the API token and lands on the approval queue as the mapped user with the mapped role', async () => {
    taylor = await browser.newPage();
    await taylor.goto(proxy.url);
    await taylor.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    await taylor.getByLabel('API token').waitFor();
    expect(await taylor.getByText('Single sign-on (OIDC) is not configured').count()).toBe(0);
    await browser.screenshot(taylor, 'oidc-01-sign-in-with-sso');
    await taylor.getByRole('button', { name: 'Sign in with SSO' }).click();
    await taylor.locator('header .user[data-user="taylor"]').waitFor();
    expect(await taylor.locator('header .who').textContent()).toContain('(team-lead)');
    await taylor.getByRole('heading', { name: 'Approval queue' }).waitFor();
    await taylor.locator(`.queue-item[data-approval-id="${approvalId}"]`).waitFor();
    // The code and state are gone from the address bar: a reload or the back button cannot replay them.
    expect(new URL(taylor.url()).search).toBe('');
    expect(provider.clientAuthentications).toEqual(['client_secret_post']);
    await browser.screenshot(taylor, 'oidc-02-queue-as-sso-team-lead');
  });

  it('lets the SSO team lead approve what needs a team lead', async () => {
    await taylor.goto(`${proxy.url}/#/queue/${approvalId}`);
    const card = taylor.locator(`article[data-approval-id="${approvalId}"]`);
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await card.getByRole('button', { name: 'Confirm approval' }).click();
    await card.getByText('You approved: the approval is complete').waitFor();
    await card.getByText('approved by taylor').waitFor();
    await browser.screenshot(taylor, 'oidc-03-sso-team-lead-approved');
  });

  it('signs out: the session ends on the server too', async () => {
    const token = (await taylor.evaluate("sessionStorage.getItem('vigil.token')")) as string;
    expect(token).toMatch(/^vgs_/);
    expect((await vigil.request('GET', '/api/me', { token })).status).toBe(200);
    await taylor.getByRole('button', { name: 'Sign out' }).click();
    await taylor.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    for (let tries = 0; (await vigil.request('GET', '/api/me', { token })).status !== 401; tries++) {
      if (tries > 50) throw new Error('the session still works after signing out');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it.each<[string, OidcMisbehaviour, RegExp, string]>([
    ['a tampered ID token', { tamperedClaims: true }, /The ID token's signature is not valid/, 'oidc-04-refused-tampered-token'],
    ['an expired ID token', { expiresInSeconds: -600 }, /The ID token has expired/, 'oidc-05-refused-expired-token'],
    ['an ID token for another application', { audience: 'grafana' }, /The ID token was issued for another application.*grafana/, 'oidc-06-refused-wrong-audience'],
  ])('refuses %s and says so on the sign-in page', async (_, misbehaviour, words, screenshot) => {
    refused ??= await browser.newPage();
    provider.misbehave(misbehaviour);
    await signInWithSso(refused);
    const alert = refused.getByRole('alert').filter({ hasText: words });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Could not sign in/);
    await refused.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect(new URL(refused.url()).search).toBe('');
    expect(await refused.evaluate("sessionStorage.getItem('vigil.token')")).toBeNull();
    await browser.screenshot(refused, screenshot);
  });

  it('refuses a callback this browser did not start (a forged or replayed redirect), in words', async () => {
    await refused.goto(`${proxy.url}/auth/oidc/callback?code=stolen-code&state=someone-elses-state`);
    await refused.getByRole('alert').filter({ hasText: 'This sign-in was not started from this browser' }).waitFor();
    expect(await refused.getByRole('alert').textContent()).toContain('OIDC.BAD_STATE');
    expect(new URL(refused.url()).pathname).toBe('/');
    await browser.screenshot(refused, 'oidc-07-refused-bad-state');
  });

  it('shows what the provider said when it did not sign the person in', async () => {
    provider.misbehave({ denyAccess: true });
    await signInWithSso(refused);
    await refused.getByRole('alert').filter({ hasText: /did not sign you in.*access_denied.*not assigned to this application/ }).waitFor();
    await browser.screenshot(refused, 'oidc-08-refused-by-provider');
  });

  it('refuses a person whose groups map to no Vigil role, naming their groups', async () => {
    provider.user = { ...TAYLOR, sub: 'idp|casey', email: 'casey@example.com', preferred_username: 'casey', groups: ['staff'] };
    await signInWithSso(refused);
    await refused.getByRole('alert').filter({ hasText: /None of your groups .* maps to a Vigil role.*staff/ }).waitFor();
    await browser.screenshot(refused, 'oidc-09-refused-no-role');
    provider.user = TAYLOR;
  });
});
