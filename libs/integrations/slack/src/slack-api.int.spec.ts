import { SlackApi } from './slack-api';
import { SlackApiError } from './slack-errors';
import { SlackContractServer } from './testing';

describe('posting to Slack once per delivery key (chat.postMessage has no idempotency key)', () => {
  let slack: SlackContractServer;
  let api: SlackApi;
  const since = () => new Date(Date.now() - 60_000).toISOString();
  beforeEach(async () => {
    slack = await SlackContractServer.start({ channels: ['C-OPS', 'C-OTHER'] });
    api = new SlackApi({ token: slack.token, apiUrl: slack.apiUrl });
  });
  afterEach(() => slack?.close());

  it('stamps the delivery key as message metadata', async () => {
    await api.postMessage({ channel: 'C-OPS', text: 'hello', deliveryKey: 'slack.thread:e1' });
    expect(slack.messages[0].metadata).toEqual({ event_type: 'vigil_delivery', event_payload: { key: 'slack.thread:e1' } });
  });

  it('reuses the message a first try posted when Slack took it but its answer was lost, so the channel holds one', async () => {
    slack.loseAnswerNext('chat.postMessage');
    const lost = await api.postOnce({ channel: 'C-OPS', text: 'card', deliveryKey: 'd-1' }, undefined).catch((error: unknown) => error);
    expect(lost).toMatchObject({ retryable: true, slackError: 'network' });
    const retried = await api.postOnce({ channel: 'C-OPS', text: 'card', deliveryKey: 'd-1' }, { since: since() });
    expect(retried).toMatchObject({ channel: 'C-OPS', ts: slack.messages[0].ts, found: true });
    expect(slack.topLevel('C-OPS')).toHaveLength(1);
    const [history] = slack.calls('conversations.history');
    expect(history.body).toMatchObject({ channel: 'C-OPS', include_all_metadata: 'true', inclusive: 'true' });
    expect(Number(history.body.oldest)).toBeLessThanOrEqual(Number(slack.messages[0].ts));
  });

  it('posts on a retry when no message carries the key (another key, another channel, or older than `since`)', async () => {
    await api.postMessage({ channel: 'C-OPS', text: 'other key', deliveryKey: 'd-other' });
    await api.postMessage({ channel: 'C-OTHER', text: 'same key, other channel', deliveryKey: 'd-2' });
    const old = await api.postMessage({ channel: 'C-OPS', text: 'same key, before since', deliveryKey: 'd-3' });
    const posted = await api.postOnce({ channel: 'C-OPS', text: 'new', deliveryKey: 'd-2' }, { since: since() });
    expect(posted.found).toBe(false);
    const afterOld = new Date((Number(old.ts) + 1) * 1000).toISOString();
    await expect(api.findByDeliveryKey({ channel: 'C-OPS', deliveryKey: 'd-3', since: afterOld })).resolves.toBeUndefined();
    expect(slack.topLevel('C-OPS').map((m) => m.text)).toEqual(['other key', 'same key, before since', 'new']);
  });

  it('posts without looking when the app lacks the history scopes (missing_scope), rather than dead-lettering', async () => {
    slack.failNext('conversations.history', { error: 'missing_scope' });
    const posted = await api.postOnce({ channel: 'C-OPS', text: 'x', deliveryKey: 'd-5' }, { since: since() });
    expect(posted.found).toBe(false);
    expect(slack.topLevel('C-OPS')).toHaveLength(1);
  });

  it('finds a thread reply through conversations.replies, not the channel history', async () => {
    const parent = await api.postMessage({ channel: 'C-OPS', text: 'card' });
    slack.loseAnswerNext('chat.postMessage');
    await expect(api.postOnce({ channel: 'C-OPS', threadTs: parent.ts, text: 'escalated', deliveryKey: 'slack.thread:e7' }, undefined)).rejects.toBeInstanceOf(SlackApiError);
    const retried = await api.postOnce({ channel: 'C-OPS', threadTs: parent.ts, text: 'escalated', deliveryKey: 'slack.thread:e7' }, { since: since() });
    expect(retried.found).toBe(true);
    expect(slack.thread(parent.ts)).toHaveLength(1);
    expect(slack.calls('conversations.replies')[0].body).toMatchObject({ channel: 'C-OPS', ts: parent.ts, include_all_metadata: 'true' });
    expect(slack.calls('conversations.history')).toHaveLength(0);
  });

  it('follows response_metadata.next_cursor past the first page', async () => {
    await api.postMessage({ channel: 'C-OPS', text: 'the one', deliveryKey: 'd-deep' });
    for (let i = 0; i < 205; i++) await api.postMessage({ channel: 'C-OPS', text: `noise ${i}` });
    const found = await api.findByDeliveryKey({ channel: 'C-OPS', deliveryKey: 'd-deep', since: since() });
    expect(found?.ts).toBe(slack.messages[0].ts);
    const pages = slack.calls('conversations.history');
    expect(pages).toHaveLength(2);
    expect(pages[0].answer).toMatchObject({ has_more: true, response_metadata: { next_cursor: expect.any(String) } });
    expect(pages[1].body.cursor).toBe((pages[0].answer as { response_metadata: { next_cursor: string } }).response_metadata.next_cursor);
  });

  it('answers history reads as Slack does: not_authed, channel_not_found, invalid_cursor, and metadata only when asked for', async () => {
    await api.postMessage({ channel: 'C-OPS', text: 'x', deliveryKey: 'd-4' });
    const noAuth = await fetch(`${slack.apiUrl}conversations.history`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'channel=C-OPS' });
    expect(await noAuth.json()).toEqual({ ok: false, error: 'not_authed' });
    await expect(api.findByDeliveryKey({ channel: 'C-NOPE', deliveryKey: 'd-4', since: since() })).rejects.toMatchObject({ retryable: false, slackError: 'channel_not_found' });
    await expect(api.client.conversations.history({ channel: 'C-OPS', cursor: 'not-a-cursor' })).rejects.toMatchObject({ data: { error: 'invalid_cursor' } });
    const plain = await api.client.conversations.history({ channel: 'C-OPS' });
    expect(plain.messages?.[0].metadata).toBeUndefined();
  });
});
