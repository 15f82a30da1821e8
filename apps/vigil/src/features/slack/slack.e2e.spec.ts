import { buttonClick, decodeVoteValue, rejectSubmission, signedInteraction, SlackContractServer } from '@vigil/integrations/slack';
import { uuidFromSeed } from '@vigil/saga-host';
import { startTestVigil, TestVigil } from '../../../../../test/support/start-test-vigil';

const SECRET = 'slack-signing-secret-for-tests';

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Slack approvals (issue 5, step 1)', () => {
  let slack: SlackContractServer;
  let vigil: TestVigil;

  beforeAll(async () => {
    slack = await SlackContractServer.start({ channels: ['C-MEDIUM', 'C-LOW', 'C-OPS'] });
    slack.addUser('lee@example.com', 'U-LEE');
    slack.addUser('audrey@example.com', 'U-AUDREY');
    slack.addUser('alice@example.com', 'U-ALICE');
    vigil = await startTestVigil({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL_MEDIUM: 'C-MEDIUM',
      SLACK_CHANNEL_LOW: 'C-LOW',
      SLACK_DEFAULT_CHANNEL: 'C-OPS',
      VIGIL_DELIVERY_BACKOFF_MS: '100',
    });
  });
  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
  });

  const post = (payload: unknown, options: { timestampSeconds?: number; signature?: string; headers?: Record<string, string> } = {}) => {
    const { body, headers } = signedInteraction(SECRET, payload, options);
    return fetch(`${vigil.base}/webhooks/slack/interactions`, { method: 'POST', headers: { ...headers, ...options.headers }, body });
  };

  async function proposeRollback(service: string) {
    const anomaly = await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.alice,
      body: { service, operation: 'GET /', signal: 'error_rate', expected: 0.01, actual: 0.2, score: 9, severity: 'warning' },
    });
    const proposal = await vigil.request('POST', '/api/proposals', {
      token: vigil.tokens.alice,
      body: { anomalyId: anomaly.body.id, action: { kind: 'argocd.rollback', target: `argocd:${service}`, params: {} }, rationale: `rollback ${service}` },
    });
    expect(proposal.body).toMatchObject({ tier: 'medium', status: 'awaiting-approval' });
    const approvalId: string = proposal.body.approvalId;
    const card = await eventually('the approval card', () =>
      slack.topLevel('C-MEDIUM').find((m) => JSON.stringify(m.blocks).includes(approvalId)),
    );
    return { approvalId, anomalyId: anomaly.body.id as string, card };
  }

  const buttonValue = (blocks: unknown[]) => {
    const actions = blocks.find((b) => (b as { type: string }).type === 'actions') as { elements: { value: string }[] };
    return decodeVoteValue(actions.elements[0].value)!;
  };

  it('posts the Block Kit card to the tier channel and records its ts on the escalation', async () => {
    const { approvalId, card } = await proposeRollback('checkout');
    const text = JSON.stringify(card.blocks);
    for (const part of ['argocd.rollback', 'argocd:checkout', 'medium tier', 'a team-lead', 'Deadline', 'error_rate on checkout GET /: expected 0.01, saw 0.2']) expect(text).toContain(part);
    const [request] = slack.calls('chat.postMessage');
    expect(request.headers.authorization).toBe(`Bearer ${slack.token}`);
    // The notice is accepted into the queue, then its delivery is recorded with the card's ts.
    const escalationId = uuidFromSeed(`escalation:${approvalId}`);
    const sent = await eventually('NotificationSent with the Slack ts', async () => {
      const stream = await vigil.request('GET', `/api/streams/escalation-${escalationId}`, { token: vigil.tokens.audrey });
      return stream.body.events?.find((e: { type: string; data: { externalRef: string } }) => e.type === 'NotificationSent' && e.data.externalRef === `slack:C-MEDIUM:${card.ts}`);
    });
    expect(sent.data).toMatchObject({ level: 0, channel: 'slack', target: { role: 'team-lead', channel: 'slack' } });
  });

  it('casts a vote from an Approve click through the API rules, updates the card in place and answers ephemerally', async () => {
    const { approvalId, card } = await proposeRollback('payments');
    const vote = buttonValue(card.blocks);
    const response = await post(buttonClick({ action: 'approve', slackUserId: 'U-LEE', vote, channel: card.channel, messageTs: card.ts, responseUrl: slack.responseUrl('lee-1') }));
    expect(response.status).toBe(200);
    const answer = await eventually('the ephemeral answer', () => slack.responses.find((r) => r.id === 'lee-1'));
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('was recorded; the approval is now granted') });
    const stream = await vigil.request('GET', `/api/streams/approval-${approvalId}`, { token: vigil.tokens.audrey });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toEqual(['ApprovalRequested', 'VoteCast', 'ApprovalGranted']);
    expect(stream.body.events[1].metadata.actor).toBe('lee');
    const updated = await eventually('the card updated in place', () => card.updates.find((u) => JSON.stringify(u.blocks).includes('Approved by lee')));
    expect(JSON.stringify(updated.blocks)).not.toContain('vigil.approve');
  });

  it('refuses the proposer, an auditor and an unknown Slack user, with an ephemeral explanation, and audits each attempt', async () => {
    const { approvalId, card } = await proposeRollback('search');
    const vote = buttonValue(card.blocks);
    await post(buttonClick({ action: 'approve', slackUserId: 'U-ALICE', vote, responseUrl: slack.responseUrl('alice') }));
    await post(buttonClick({ action: 'approve', slackUserId: 'U-AUDREY', vote, responseUrl: slack.responseUrl('audrey') }));
    await post(buttonClick({ action: 'approve', slackUserId: 'U-STRANGER', vote, responseUrl: slack.responseUrl('stranger') }));
    expect((await eventually('alice told', () => slack.responses.find((r) => r.id === 'alice'))).body.text).toContain('APPROVAL.SELF_APPROVAL');
    expect((await eventually('audrey told', () => slack.responses.find((r) => r.id === 'audrey'))).body.text).toContain('voting needs one of');
    expect((await eventually('stranger told', () => slack.responses.find((r) => r.id === 'stranger'))).body.text).toContain('not linked to an active Vigil user');
    const stream = await vigil.request('GET', `/api/streams/approval-${approvalId}`, { token: vigil.tokens.audrey });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toEqual(['ApprovalRequested', 'VoteRefused']);
    const stranger = await vigil.request('GET', '/api/streams/security-slack:U-STRANGER', { token: vigil.tokens.audrey });
    expect(stranger.body.events[0]).toMatchObject({ type: 'AccessRefused', data: { code: 'SLACK.UNKNOWN_USER', path: '/webhooks/slack/interactions' } });
    const auditor = await vigil.request('GET', '/api/streams/security-audrey', { token: vigil.tokens.audrey });
    expect(auditor.body.events.some((e: { data: { code: string } }) => e.data.code === 'AUTH.FORBIDDEN')).toBe(true);
  });

  it('rejects through the reason modal (views.open), and the card says so', async () => {
    const { approvalId, card } = await proposeRollback('ledger');
    const vote = buttonValue(card.blocks);
    await post(buttonClick({ action: 'reject', slackUserId: 'U-LEE', vote, channel: card.channel, messageTs: card.ts, responseUrl: slack.responseUrl('lee-reject') }));
    const opened = await eventually('the reason modal', () => slack.openedViews.find((v) => String(v.view.private_metadata).includes(approvalId)));
    const submitted = await post(rejectSubmission({ slackUserId: 'U-LEE', privateMetadata: String(opened.view.private_metadata), reason: 'not during the sale' }));
    expect(submitted.status).toBe(200);
    await eventually('the card shows the rejection', () => card.updates.find((u) => JSON.stringify(u.blocks).includes('Rejected by lee: not during the sale')));
    expect((await eventually('lee told', () => slack.responses.find((r) => r.id === 'lee-reject'))).body.text).toContain('now rejected');
  });

  it('refuses a forged signature, a six-minute-old timestamp and a replayed interaction; a Slack retry is acknowledged once', async () => {
    const { approvalId, card } = await proposeRollback('inventory');
    const vote = buttonValue(card.blocks);
    const click = buttonClick({ action: 'approve', slackUserId: 'U-LEE', vote });
    const forged = await post(click, { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'SLACK.SIGNATURE_MISMATCH' });
    const stale = await post(click, { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ code: 'SLACK.TIMESTAMP_SKEW' });
    expect((await post(click)).status).toBe(200);
    expect((await post(click, { headers: { 'x-slack-retry-num': '1' } })).status).toBe(200);
    const replay = await post(click);
    expect(replay.status).toBe(409);
    await eventually('the grant', async () => (await vigil.request('GET', `/api/approvals/${approvalId}`, { token: vigil.tokens.lee })).body.status === 'granted');
    const stream = await vigil.request('GET', `/api/streams/approval-${approvalId}`, { token: vigil.tokens.audrey });
    expect(stream.body.events.filter((e: { type: string }) => e.type === 'VoteCast')).toHaveLength(1);
    const unverified = await vigil.request('GET', '/api/streams/security-slack:unverified', { token: vigil.tokens.audrey });
    expect(unverified.body.events.map((e: { data: { code: string } }) => e.data.code)).toEqual(expect.arrayContaining(['SLACK.SIGNATURE_MISMATCH', 'SLACK.TIMESTAMP_SKEW']));
  });

  it('retries a rate-limited card update after Slack\'s Retry-After', async () => {
    const { card } = await proposeRollback('billing');
    // The vote and the grant each update the card: both are rate limited once.
    slack.failNext('chat.update', { status: 429, retryAfterSeconds: 1, times: 2 });
    const started = Date.now();
    await post(buttonClick({ action: 'approve', slackUserId: 'U-LEE', vote: buttonValue(card.blocks) }));
    await eventually('the card updated after the 429', () => card.updates.find((u) => JSON.stringify(u.blocks).includes('Approved by lee')));
    const updates = slack.calls('chat.update').filter((r) => r.body.ts === card.ts);
    expect(updates.slice(0, 2).map((u) => u.status)).toEqual([429, 429]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('posts the card once when Slack took the post but Vigil never got the answer: the retry finds it by its metadata and records its ts', async () => {
    slack.loseAnswerNext('chat.postMessage', { where: (body) => JSON.stringify(body.blocks ?? []).includes('argocd:orders') });
    const { approvalId, card } = await proposeRollback('orders');
    const escalationId = uuidFromSeed(`escalation:${approvalId}`);
    await eventually('NotificationSent with the ts of the card the lost try posted', async () => {
      const stream = await vigil.request('GET', `/api/streams/escalation-${escalationId}`, { token: vigil.tokens.audrey });
      return stream.body.events?.find((e: { type: string; data: { externalRef: string } }) => e.type === 'NotificationSent' && e.data.externalRef === `slack:C-MEDIUM:${card.ts}`);
    });
    expect(slack.topLevel('C-MEDIUM').filter((m) => JSON.stringify(m.blocks).includes(approvalId))).toHaveLength(1);
    expect(card.metadata).toEqual({ event_type: 'vigil_delivery', event_payload: { key: `approval-card:${approvalId}` } });
    const lookups = slack.calls('conversations.history').filter((r) => r.body.channel === 'C-MEDIUM');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups[0].body.include_all_metadata).toBe('true');
  });

  it('replies once in the card thread when the reply\'s answer was lost: the retry finds it through conversations.replies', async () => {
    const { card } = await proposeRollback('shipping');
    slack.loseAnswerNext('chat.postMessage', { where: (body) => body.thread_ts === card.ts && String(body.text).includes('Running') });
    await post(buttonClick({ action: 'approve', slackUserId: 'U-LEE', vote: buttonValue(card.blocks) }));
    await eventually('the retry reading the thread', () => slack.calls('conversations.replies').find((r) => r.body.ts === card.ts && r.status === 200));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const running = slack.thread(card.ts).filter((m) => m.text.includes('Running argocd.rollback on argocd:shipping'));
    expect(running).toHaveLength(1);
    expect(running[0].metadata?.event_payload.key).toMatch(/^slack\.thread:/);
  });
});
