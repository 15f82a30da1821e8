// SCRATCH (not committed): seeds approvals directly until the saga is wired, to look at the UI.
import { createHash, randomUUID } from 'node:crypto';
import { actionHashInput } from '@vigil/domain/remediation';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';
import { Browser, launchChromium } from './support/chromium';
import { ensureConsoleBuilt } from './support/console-build';

jest.setTimeout(300_000);

describe('preview', () => {
  let vigil: TestVigil;
  let browser: Browser;
  beforeAll(async () => {
    ensureConsoleBuilt();
    vigil = await startTestVigil({});
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await vigil?.stop();
  });

  const seed = async (anomalyId: string, action: { kind: string; target: string; params: Record<string, unknown> }, tier: string, requiredRoles: string[][]) => {
    const p = await vigil.request('POST', '/api/proposals', { token: vigil.tokens.alice, body: { anomalyId, action, rationale: 'error rate jumped right after deploying d4e5f6' } });
    const approvalId = randomUUID();
    const now = new Date().toISOString();
    await vigil.runtime.bus.send('approval', approvalId, {
      type: 'RequestApproval',
      data: { approvalId, proposalId: p.body.id, proposalVersion: 1, actionHash: createHash('sha256').update(actionHashInput(action as never, 1)).digest('hex'), tier, requiredRoles, proposer: 'alice', deadline: new Date(Date.now() + 30 * 60_000).toISOString() },
      metadata: { now, actor: 'system:saga', correlationId: randomUUID() },
    } as never);
    return approvalId;
  };

  it('looks', async () => {
    const a = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.12, score: 6, severity: 'error' } });
    await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.3, score: 12, severity: 'critical' } });
    const lee = await browser.newPage();
    await lee.goto(vigil.base);
    await lee.getByLabel('API token').fill(vigil.tokens.lee);
    await lee.getByRole('button', { name: 'Sign in' }).click();
    await lee.locator('.live-live').waitFor();
    const id1 = await seed(a.body.id, { kind: 'argocd.rollback', target: 'argocd:payments', params: {} }, 'medium', [['team-lead']]);
    await seed(a.body.id, { kind: 'db.failover', target: 'db:payments-primary', params: { to: 'replica-2', force: false } }, 'high', [['sre'], ['manager']]);
    await lee.locator(`.queue-item[data-approval-id="${id1}"]`).waitFor({ timeout: 15000 });
    await lee.locator('.queue-item a').nth(1).click();
    await lee.locator('article svg').waitFor();
    await browser.screenshot(lee, 'dev-01-card');
    const alice = await browser.newPage();
    await alice.goto(`${vigil.base}/#/queue/${id1}`);
    await alice.getByLabel('API token').fill(vigil.tokens.alice);
    await alice.getByRole('button', { name: 'Sign in' }).click();
    await alice.locator('article').waitFor();
    await browser.screenshot(alice, 'dev-02-alice');
    await lee.goto(`${vigil.base}/#/queue/${id1}`);
    await lee.getByRole('button', { name: 'Approve', exact: true }).click();
    await browser.screenshot(lee, 'dev-03-confirm');
    await lee.getByRole('button', { name: 'Confirm approval' }).click();
    await lee.getByText('You approved').waitFor();
    await alice.locator('.voter', { hasText: 'lee' }).waitFor();
    await browser.screenshot(lee, 'dev-04-approved');
    await lee.goto(`${vigil.base}/#/incidents/${a.body.id}`);
    await lee.locator('.timeline').waitFor();
    await browser.screenshot(lee, 'dev-05-incident');
    const phone = await browser.newPage({ width: 390, height: 844, isMobile: true });
    await phone.goto(vigil.base);
    await phone.getByLabel('API token').fill(vigil.tokens.sara);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('.queue-item').first().waitFor();
    await browser.screenshot(phone, 'dev-06-phone');
    console.log('scrollWidth', await phone.evaluate('document.documentElement.scrollWidth'));
    await phone.locator('.queue-item a').first().click();
    await phone.locator('article').waitFor();
    await browser.screenshot(phone, 'dev-07-phone-card');
    console.log('scrollWidth', await phone.evaluate('document.documentElement.scrollWidth'));
    await lee.goto(`${vigil.base}/#/audit/travel?stream=approval-${id1}`);
    await lee.getByText('Status then').waitFor();
    await lee.getByRole('link', { name: /What lee saw/ }).click();
    await lee.locator('.proposal-then').waitFor();
    await browser.screenshot(lee, 'dev-08-travel');
  });
});
