/**
 * The console in a real browser (Debian's chromium driven by playwright-core) against the real app: sign in, the live
 * approval queue, refusals, approve / reject / modify, the incident timeline and the auditor console with time travel.
 * Screenshots of each screen go to test-artifacts/browser/.
 */
import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { ArgoCdContractServer } from '@vigil/integrations/argocd';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';
import { Browser, launchChromium } from './support/chromium';
import { ensureConsoleBuilt } from './support/console-build';
import { consoleOrigin } from './support/console-server';

jest.setTimeout(180_000);

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Vigil console in chromium', () => {
  let argo: ArgoCdContractServer;
  let vigil: TestVigil;
  let origin: { url: string; close(): Promise<void> };
  let browser: Browser;
  let lee: Page;
  let alice: Page;
  let anomalyId: string;
  let rollback: { proposalId: string; approvalId: string };
  let beforeLeeVoted: string;
  let audrey: Page;

  const signIn = async (page: Page, token: string, name: string) => {
    await page.goto(origin.url);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`header .user[data-user="${name}"]`).waitFor();
    await page.locator('.live-live').waitFor();
  };

  const propose = async (action: { kind: string; target: string; params: Record<string, unknown> }, rationale: string) => {
    const response = await vigil.request('POST', '/api/proposals', { token: vigil.tokens.alice, body: { anomalyId, action, rationale } });
    expect(response.status).toBe(201);
    expect(response.body.approvalId).toEqual(expect.any(String));
    return { proposalId: response.body.id as string, approvalId: response.body.approvalId as string };
  };

  /** The page's own marker survives only if the page never reloaded. */
  const markPage = (page: Page) => page.evaluate('window.__vigilNoReload = true');
  const notReloaded = async (page: Page) => expect(await page.evaluate('window.__vigilNoReload === true')).toBe(true);

  beforeAll(async () => {
    ensureConsoleBuilt();
    argo = await ArgoCdContractServer.start();
    argo.addApplication({ name: 'payments', revisions: ['a1b2c3', 'd4e5f6'] });
    vigil = await startTestVigil({ ARGOCD_URL: argo.url, ARGOCD_TOKEN: argo.token });
    origin = await consoleOrigin(vigil.base);
    browser = await launchChromium();
    const first = await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.12, score: 6, severity: 'error' },
    });
    anomalyId = first.body.id;
    await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.3, score: 12, severity: 'critical' },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await origin?.close();
    await vigil?.stop();
    await argo?.close();
  });

  it('signs in with an API token and refuses a bad one in words', async () => {
    lee = await browser.newPage();
    await lee.goto(origin.url);
    await lee.getByText('Single sign-on (OIDC) is not configured').waitFor();
    await browser.screenshot(lee, '01-sign-in');
    await lee.getByLabel('API token').fill('not-a-token');
    await lee.getByRole('button', { name: 'Sign in' }).click();
    await lee.getByRole('alert').filter({ hasText: 'sign in again' }).waitFor();
    await browser.screenshot(lee, '02-sign-in-refused');
    await signIn(lee, vigil.tokens.lee, 'lee');
    await lee.getByRole('heading', { name: 'Approval queue' }).waitFor();
    await lee.getByText('Nothing is waiting for approval.').waitFor();
    await browser.screenshot(lee, '03-queue-empty');
  });

  it('shows a proposal created through the API in the queue live, without a reload', async () => {
    await markPage(lee);
    rollback = await propose({ kind: 'argocd.rollback', target: 'argocd:payments', params: {} }, 'error rate jumped right after deploying d4e5f6');
    const item = lee.locator(`.queue-item[data-approval-id="${rollback.approvalId}"]`);
    await item.waitFor({ timeout: 15_000 });
    await notReloaded(lee);
    expect(await item.textContent()).toMatch(/Medium risk.*argocd\.rollback.*argocd:payments.*escalates in \d+m.*escalation level 0.*needs team-lead.*no votes yet/s);
    await item.getByRole('link').click();
    const card = lee.locator(`article[data-approval-id="${rollback.approvalId}"]`);
    await card.waitFor();
    await card.locator('svg[role="img"]').waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('argocd.rollback');
    expect(text).toContain('argocd:payments');
    expect(text).toMatch(/Still needed: team-lead/);
    expect(text).toMatch(/Proposed by alice/);
    const pending = await vigil.request('GET', `/api/approvals/${rollback.approvalId}`, { token: vigil.tokens.lee });
    expect(text).toContain(pending.body.actionHash.replace(/^sha256:/, '').slice(0, 12));
    expect(await card.locator('svg[role="img"]').getAttribute('aria-label')).toMatch(/2 observations, 2 outside the baseline band/);
    await browser.screenshot(lee, '04-queue-live-approval-card');
  });

  it("disables the proposer's approve button with the reason, and the server refuses a forged vote", async () => {
    alice = await browser.newPage();
    await signIn(alice, vigil.tokens.alice, 'alice');
    await alice.goto(`${origin.url}/#/queue/${rollback.approvalId}`);
    const approve = alice.getByRole('button', { name: 'Approve', exact: true });
    await approve.waitFor();
    expect(await approve.isDisabled()).toBe(true);
    await alice.getByText('You proposed this action: a proposer never approves their own proposal.').waitFor();
    // alice is a responder and the rollback needs a team lead: rejecting is not for her either, and the card says why.
    expect(await alice.getByRole('button', { name: 'Reject…' }).isDisabled()).toBe(true);
    await browser.screenshot(alice, '05-proposer-approve-disabled');

    const pending = await vigil.request('GET', `/api/approvals/${rollback.approvalId}`, { token: vigil.tokens.alice });
    const forged = (await alice.evaluate(
      `fetch('/api/approvals/${rollback.approvalId}/votes', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + sessionStorage.getItem('vigil.token') },
         body: JSON.stringify({ decision: 'approve', proposalVersion: ${pending.body.proposalVersion}, actionHash: '${pending.body.actionHash}' }) })
        .then(async (r) => ({ status: r.status, body: await r.json() }))`,
    )) as { status: number; body: { code: string } };
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('APPROVAL.SELF_APPROVAL');
    const stream = await vigil.request('GET', `/api/streams/approval-${rollback.approvalId}`, { token: vigil.tokens.audrey });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toContain('VoteRefused');
  });

  it('lets the team lead approve; the item leaves the queue and the card shows the grant', async () => {
    await lee.goto(`${origin.url}/#/queue/${rollback.approvalId}`);
    const card = lee.locator(`article[data-approval-id="${rollback.approvalId}"]`);
    await card.waitFor();
    beforeLeeVoted = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await card.getByRole('button', { name: 'Confirm approval' }).click();
    await card.getByText('You approved: the approval is complete').waitFor();
    await lee.locator(`.queue-item[data-approval-id="${rollback.approvalId}"]`).waitFor({ state: 'detached' });
    await card.locator('.badge.status', { hasText: 'granted' }).waitFor();
    await card.getByText('approved by lee').waitFor();
    await browser.screenshot(lee, '06-approved-left-queue');
    // alice's card follows lee's vote live.
    await alice.locator(`article[data-approval-id="${rollback.approvalId}"] .voter`, { hasText: 'lee' }).waitFor();
    await alice.getByText('This approval is granted').waitFor();
  });

  it('shows the execution outcome on the incident timeline', async () => {
    await lee.goto(`${origin.url}/#/incidents/${anomalyId}`);
    await lee.getByRole('heading', { name: /Incident: payments/ }).waitFor();
    await lee.locator('.execution-outcome .badge', { hasText: /succeeded|verified/ }).waitFor({ timeout: 30_000 });
    for (const kind of ['anomaly', 'proposal', 'approval', 'vote', 'execution']) await lee.locator(`.timeline li[data-kind="${kind}"]`).first().waitFor();
    const kinds = await lee.locator('.timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    expect(kinds.indexOf('anomaly')).toBeLessThan(kinds.indexOf('proposal'));
    expect(kinds.indexOf('approval')).toBeLessThan(kinds.indexOf('execution'));
    expect(argo.rollbackRequests('payments')).toHaveLength(1);
    await browser.screenshot(lee, '07-incident-timeline');
  });

  it('rejects with a reason, from the keyboard, with visible focus', async () => {
    const restart = await propose({ kind: 'k8s.rollout-restart', target: 'k8s:prod/payments', params: { namespace: 'prod' } }, 'pods are wedged');
    await lee.goto(`${origin.url}/#/queue/${restart.approvalId}`);
    const card = lee.locator(`article[data-approval-id="${restart.approvalId}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Approve', exact: true }).focus();
    await lee.keyboard.press('Tab');
    expect(await lee.evaluate('document.activeElement.textContent')).toBe('Reject…');
    expect(await lee.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await lee.keyboard.press('Enter');
    const reason = card.getByLabel(/Reason for rejecting/);
    await reason.waitFor();
    // Focus moves in an effect after the textarea is painted: wait for it (a clean-clone run read the button still focused).
    await lee.waitForFunction("document.activeElement && document.activeElement.tagName === 'TEXTAREA'", undefined, { timeout: 5000 });
    expect(await lee.evaluate('document.activeElement && document.activeElement.id')).toBe(`reason-${restart.approvalId}`);
    expect(await card.getByRole('button', { name: 'Confirm rejection' }).isDisabled()).toBe(true);
    await lee.keyboard.type('a restart will not fix a bad deploy; roll back instead');
    await lee.keyboard.press('Tab');
    await lee.keyboard.press('Enter');
    await card.getByText('You rejected this action').waitFor();
    await card.locator('.badge.status', { hasText: 'rejected' }).waitFor();
    await card.getByText('a restart will not fix a bad deploy').waitFor();
    await browser.screenshot(lee, '08-rejected-with-reason');
    await lee.goto(`${origin.url}/#/queue?status=rejected`);
    await lee.locator(`.queue-item[data-approval-id="${restart.approvalId}"]`).waitFor();
  });

  it('modifies parameters, shows the re-assessed tier before confirming, and the new version arrives live', async () => {
    const scale = await propose({ kind: 'k8s.scale', target: 'k8s:prod/payments', params: { replicas: 3 } }, 'more capacity');
    await lee.goto(`${origin.url}/#/queue/${scale.approvalId}`);
    const card = lee.locator(`article[data-approval-id="${scale.approvalId}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Modify parameters…' }).click();
    await card.getByLabel('replicas').fill('5');
    expect(await card.getByRole('button', { name: 'Approve modified action' }).isDisabled()).toBe(true);
    await card.getByRole('button', { name: 'Re-assess tier' }).click();
    await card.locator('.assessment', { hasText: 'Re-assessed' }).waitFor();
    expect(await card.locator('.assessment').textContent()).toMatch(/Low risk.*the same as now/);
    await browser.screenshot(lee, '09-modify-reassessed');
    await card.getByRole('button', { name: 'Approve modified action' }).click();
    await card.getByText('this approval is cancelled').waitFor();
    await lee.goto(`${origin.url}/#/queue`);
    const next = await eventually('the re-assessed approval', async () => {
      const list = await vigil.request('GET', '/api/approvals?status=pending', { token: vigil.tokens.lee });
      return list.body.items.find((a: { proposalId: string; proposalVersion: number }) => a.proposalId === scale.proposalId && a.proposalVersion === 2);
    });
    await lee.locator(`.queue-item[data-approval-id="${next.id}"]`).waitFor();
    expect(next.action.params).toEqual({ replicas: 5 });
  });

  it('shows a refusal from the server in words when the approval was decided meanwhile', async () => {
    const scale = await propose({ kind: 'k8s.scale', target: 'k8s:prod/checkout', params: { replicas: 4 } }, 'checkout needs capacity');
    await lee.goto(`${origin.url}/#/queue/${scale.approvalId}`);
    const card = lee.locator(`article[data-approval-id="${scale.approvalId}"]`);
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await card.getByRole('button', { name: 'Confirm approval' }).waitFor();
    // sara (sre) approves through the API while lee is confirming; lee's card follows live.
    const pending = await vigil.request('GET', `/api/approvals/${scale.approvalId}`, { token: vigil.tokens.sara });
    const bySara = await vigil.request('POST', `/api/approvals/${scale.approvalId}/votes`, {
      token: vigil.tokens.sara,
      body: { decision: 'approve', proposalVersion: pending.body.proposalVersion, actionHash: pending.body.actionHash },
    });
    expect(bySara.status).toBe(201);
    await card.locator('.voter', { hasText: 'sara' }).waitFor();
    await card.getByRole('button', { name: 'Confirm approval' }).click();
    await card.getByRole('alert').filter({ hasText: 'Refused: this approval has already been decided.' }).waitFor();
    expect(await card.getByRole('alert').textContent()).toContain('APPROVAL.CLOSED');
    await browser.screenshot(lee, '10-server-refusal-in-words');
  });

  it('fits the queue on a phone-width screen', async () => {
    await propose({ kind: 'k8s.rollout-restart', target: 'k8s:prod/ledger', params: { namespace: 'prod' } }, 'ledger pods are leaking memory');
    const phone = await browser.newPage({ width: 390, height: 844, isMobile: true });
    await signIn(phone, vigil.tokens.lee, 'lee');
    await phone.locator('.queue-item').first().waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await browser.screenshot(phone, '11-phone-queue');
    await phone.locator('.queue-item a').first().click();
    await phone.getByRole('link', { name: '← Back to the queue' }).waitFor();
    await phone.getByRole('button', { name: 'Approve', exact: true }).waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await browser.screenshot(phone, '12-phone-approval-card');
  });

  it('gives the auditor the log with filters, the chain status and last checkpoint, a JSONL export, and an incident as it stood then', async () => {
    audrey = await browser.newPage();
    await signIn(audrey, vigil.tokens.audrey, 'audrey');
    await audrey.getByRole('heading', { name: 'Auditor console' }).waitFor();
    await audrey.getByText('✓ The audit log is intact').waitFor();
    await eventually('a sealed checkpoint', async () => {
      await audrey.getByRole('button', { name: 'Verify again' }).click();
      await audrey.getByRole('button', { name: 'Verify again' }).waitFor();
      const text = (await audrey.locator('.last-checkpoint').textContent()) ?? '';
      return /#\d+ up to position/.test(text) ? text : undefined;
    });
    await browser.screenshot(audrey, '13-audit-console');

    await audrey.getByLabel('Event type').fill('AnomalyDetected');
    await audrey.getByLabel('Actor').fill('alice');
    await audrey.getByRole('button', { name: 'Apply filters' }).click();
    await audrey.locator('tr.event-row').first().waitFor();
    expect(new Set(await audrey.locator('tr.event-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type'))))).toEqual(new Set(['AnomalyDetected']));
    await browser.screenshot(audrey, '14-audit-filtered');

    const [download] = await Promise.all([audrey.waitForEvent('download'), audrey.getByRole('button', { name: 'Export the log (JSONL)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^vigil-audit-.*\.jsonl$/);
    const lines = readFileSync((await download.path()) as string, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.some((l) => l.kind === 'event' && l.type === 'AnomalyDetected')).toBe(true);
    expect(lines.some((l) => l.kind === 'checkpoint')).toBe(true);

    // The incident's anomaly before its second observation: one occurrence.
    await audrey.goto(`${origin.url}/#/audit/travel?stream=${encodeURIComponent(`anomaly-${anomalyId}`)}`);
    await audrey.getByRole('link', { name: /Just before AnomalyUpdated/ }).click();
    await audrey.getByText(/1 event\(s\) of \d+/).waitFor();
    expect(await audrey.locator('#then pre.json').textContent()).toMatch(/"occurrences": 1/);
    await audrey.getByRole('link', { name: 'The incident timeline as it stood then →' }).click();
    await audrey.getByText(/As it stood at .*: \d+ of \d+ timeline entries/).waitFor();
    await audrey.locator('.timeline li[data-kind="anomaly"]').first().waitFor();
    expect(await audrey.locator('.timeline li[data-kind="proposal"]').count()).toBe(0);
    await browser.screenshot(audrey, '15-time-travel-incident');
  });

  it('time-travels the auditor to before the vote, where the approval is pending, and shows what the approver saw', async () => {
    await audrey.goto(`${origin.url}/#/audit?type=VoteCast&actor=lee`);
    await audrey.locator('tr.event-row[data-type="VoteCast"]').first().waitFor();
    expect(new Set(await audrey.locator('tr.event-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type'))))).toEqual(new Set(['VoteCast']));
    await audrey.locator('tr.event-row').first().getByRole('link').click();
    await audrey.getByText('Status then:').waitFor();
    await audrey.goto(`${origin.url}/#/audit/travel?stream=${encodeURIComponent(`approval-${rollback.approvalId}`)}`);
    await audrey.getByText('Status then:').waitFor();
    await audrey.locator('.approval-then .status', { hasText: 'Granted' }).waitFor();
    await audrey.getByLabel('As of (ISO-8601; empty for now)').fill(beforeLeeVoted);
    await audrey.getByRole('button', { name: 'Show as of then' }).click();
    await audrey.locator('.approval-then .status', { hasText: 'Pending' }).waitFor();
    expect(await audrey.locator('.approval-then').textContent()).toMatch(/team-lead: still needed/);
    await browser.screenshot(audrey, '16-time-travel-before-vote');
    await audrey.getByRole('link', { name: /What lee saw when voting approve/ }).click();
    await audrey.getByText('This is what lee saw just before their vote was recorded.').waitFor();
    await audrey.locator('.approval-then .status', { hasText: 'Pending' }).waitFor();
    await audrey.locator('.proposal-then', { hasText: 'argocd.rollback' }).waitFor();
    await browser.screenshot(audrey, '17-what-lee-saw');
  });
});
