import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgoCdContractServer } from '@vigil/integrations/argocd';
import { adfText, JiraContractServer } from '@vigil/integrations/jira';
import { pagerDutyDedupKey, PagerDutyContractServer } from '@vigil/integrations/pagerduty';
import { buttonClick, decodeVoteValue, signedInteraction, SlackContractServer } from '@vigil/integrations/slack';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SIGNING_SECRET = 'e2e-slack-signing-secret';
const LEVEL_1_KEY = 'LEVEL1R0UTINGKEY0000000000000001';
const DEFAULT_KEY = 'DEFAULTR0UTINGKEY000000000000001';

describe('the escalation loop end to end (issue 5 "done when")', () => {
  let slack: SlackContractServer;
  let pd: PagerDutyContractServer;
  let jira: JiraContractServer;
  let argo: ArgoCdContractServer;
  let vigil: TestVigil;
  let dir: string;

  beforeAll(async () => {
    slack = await SlackContractServer.start({ channels: ['C-APPROVALS', 'C-OPS'] });
    slack.addUser('lee@example.com', 'U-LEE');
    pd = await PagerDutyContractServer.start({ routingKeys: [LEVEL_1_KEY, DEFAULT_KEY] });
    jira = await JiraContractServer.start({ projectKey: 'OPS' });
    argo = await ArgoCdContractServer.start();
    argo.addApplication({ name: 'payments', revisions: ['a1b2c3', 'd4e5f6'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-loop-'));
    writeFileSync(join(dir, 'pagerduty-ca.pem'), pd.caPem);
    vigil = await startTestVigil({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL_MEDIUM: 'C-APPROVALS',
      SLACK_DEFAULT_CHANNEL: 'C-OPS',
      PAGERDUTY_ROUTING_KEY: DEFAULT_KEY,
      PAGERDUTY_ROUTING_KEY_LEVEL_1: LEVEL_1_KEY,
      PAGERDUTY_EVENTS_URL: pd.url,
      PAGERDUTY_CA_FILE: join(dir, 'pagerduty-ca.pem'),
      JIRA_HOST: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
      JIRA_PROJECT_KEY: 'OPS',
      JIRA_ISSUE_TYPE: 'Incident',
      ARGOCD_URL: argo.url,
      ARGOCD_TOKEN: argo.token,
      VIGIL_APPROVAL_TIMEOUT_MEDIUM: '5s',
      VIGIL_VERIFY_DELAY_MS: '2500',
      VIGIL_DELIVERY_BACKOFF_MS: '200',
    });
  });
  afterAll(async () => {
    await vigil?.stop();
    await Promise.all([slack?.close(), pd?.close(), jira?.close(), argo?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const click = (payload: unknown, options: { timestampSeconds?: number; signature?: string } = {}) => {
    const { body, headers } = signedInteraction(SIGNING_SECRET, payload, options);
    return fetch(`${vigil.base}/webhooks/slack/interactions`, { method: 'POST', headers, body });
  };

  it('anomaly → Slack card → timeout → PagerDuty page → Approve in Slack → acknowledge → rollback → verified recovery → resolve and Jira done', async () => {
    // The anomaly: the saga opens an investigation, and Jira gets its issue.
    const anomaly = await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.3, score: 12, severity: 'warning' },
    });
    expect(anomaly.status).toBe(201);
    const anomalyId: string = anomaly.body.id;
    const dedupKey = pagerDutyDedupKey(anomalyId);
    const issue = await eventually('the Jira issue of the investigation', () => [...jira.issues.values()].find((i) => i.fields.summary.includes('error_rate on payments POST /charge')));
    expect(issue.fields).toMatchObject({ issuetype: 'Incident', labels: expect.arrayContaining(['vigil']) });

    // The proposal needs a team lead: the card goes to the medium tier's channel.
    const proposal = await vigil.request('POST', '/api/proposals', {
      token: vigil.tokens.alice,
      body: { anomalyId, action: { kind: 'argocd.rollback', target: 'argocd:payments', params: {} }, rationale: 'error rate jumped right after deploying d4e5f6' },
    });
    expect(proposal.body).toMatchObject({ tier: 'medium', status: 'awaiting-approval' });
    const approvalId: string = proposal.body.approvalId;
    const card = await eventually('the Slack card', () => slack.topLevel('C-APPROVALS').find((m) => JSON.stringify(m.blocks).includes(approvalId)));
    expect(JSON.stringify(card.blocks)).toContain('a team-lead');
    expect(pd.accepted()).toHaveLength(0);

    // Nobody answers: after the 5 s tier timeout, level 1 pages through its routing key, keyed by the incident.
    const page = await eventually('the level-1 page', () => pd.accepted({ action: 'trigger', routingKey: LEVEL_1_KEY })[0], 20_000);
    expect(page).toMatchObject({ dedup_key: dedupKey, payload: { source: 'vigil', severity: 'error', component: 'payments', class: 'error_rate' } });
    expect(String((page.payload as { summary: string }).summary)).toContain('escalation level 1');
    await eventually('the escalation in the card thread', () => slack.thread(card.ts).find((m) => m.text.includes('escalated to level 1')));

    // An approver clicks Approve on the card (a correctly signed interaction).
    const actions = card.blocks.find((b) => (b as { type: string }).type === 'actions') as { elements: { value: string }[] };
    const approve = buttonClick({ action: 'approve', slackUserId: 'U-LEE', vote: decodeVoteValue(actions.elements[0].value)!, channel: card.channel, messageTs: card.ts, responseUrl: slack.responseUrl('lee') });
    const answer = await click(approve);
    expect(answer.status).toBe(200);
    await eventually('the grant', async () => (await vigil.request('GET', `/api/approvals/${approvalId}`, { token: vigil.tokens.lee })).body.status === 'granted');
    // The signal is back near expected: the verification will find it recovered.
    await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.0105, score: 0, severity: 'warning' },
    });

    // PagerDuty is acknowledged with the same dedup key on the key that was paged; the card shows the grant.
    const ack = await eventually('the acknowledge', () => pd.accepted({ action: 'acknowledge' })[0]);
    expect(ack).toMatchObject({ routing_key: LEVEL_1_KEY, dedup_key: dedupKey });
    await eventually('the card updated in place', () => card.updates.find((u) => JSON.stringify(u.blocks).includes('Approved by lee')));
    expect((await eventually('lee told', () => slack.responses.find((r) => r.id === 'lee'))).body.text).toContain('now granted');

    // The rollback runs once through ArgoCD, then the recovery is verified.
    await eventually('the ArgoCD rollback', () => argo.rollbackRequests('payments').length === 1 || undefined);
    const resolve = await eventually('the resolve', () => pd.accepted({ action: 'resolve' })[0], 30_000);
    expect(resolve).toMatchObject({ routing_key: LEVEL_1_KEY, dedup_key: dedupKey });
    expect(pd.alert(LEVEL_1_KEY, dedupKey)).toMatchObject({ status: 'resolved', actions: ['trigger', 'acknowledge', 'resolve'] });
    const execution = await vigil.request('GET', `/api/streams/anomaly-${anomalyId}`, { token: vigil.tokens.audrey });
    expect(execution.body.events.map((e: { type: string }) => e.type)).toContain('AnomalyResolved');

    // Jira: the decision and the outcome as comments, and the issue is done.
    await eventually('the Jira transition to done', () => jira.issues.get(issue.key)!.transitions.includes('Done') || undefined);
    const comments = jira.issues.get(issue.key)!.comments.map((c) => adfText(c.body));
    expect(comments).toEqual(expect.arrayContaining([expect.stringContaining('approved by lee'), expect.stringContaining('Executed argocd.rollback on argocd:payments'), expect.stringContaining('Verified: the signal recovered')]));
    const linked = await vigil.request('GET', `/api/incidents/${anomalyId}`, { token: vigil.tokens.audrey });
    expect(JSON.stringify(linked.body)).toContain(issue.key);

    // The card's thread tells the story.
    const thread = await eventually('the verification in the thread', () => {
      const texts = slack.thread(card.ts).map((m) => m.text);
      return texts.some((t) => t.includes('Verified')) ? texts : undefined;
    });
    expect(thread.join('\n')).toMatch(/Running argocd\.rollback[\s\S]*succeeded[\s\S]*Verified/);
  });

  it('refuses a forged signature, a six-minute-old timestamp and a replayed interaction', async () => {
    const payload = buttonClick({ action: 'approve', slackUserId: 'U-LEE', vote: { approvalId: '00000000-0000-4000-8000-000000000000', proposalVersion: 1, actionHash: 'a'.repeat(64) } });
    const forged = await click(payload, { signature: `v0=${'f'.repeat(64)}` });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'SLACK.SIGNATURE_MISMATCH' });
    const old = await click(payload, { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ code: 'SLACK.TIMESTAMP_SKEW' });
    expect((await click(payload)).status).toBe(200);
    const replay = await click(payload);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ code: 'SLACK.REPLAYED' });
  });
});
