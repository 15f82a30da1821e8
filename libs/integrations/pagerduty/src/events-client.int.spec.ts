import { anomalyIdOfDedupKey, pagerDutyDedupKey } from './dedup-key';
import { PagerDutyError, PagerDutyEvents } from './events-client';
import { PagerDutyContractServer } from './testing';
import { pagerDutySignature, parsePagerDutyWebhook, verifyPagerDutySignature } from './webhook';

const KEY = 'R0UTINGKEY0000000000000000000001';

describe('PagerDuty Events API v2 through pdjs', () => {
  let pd: PagerDutyContractServer;
  let events: PagerDutyEvents;
  beforeAll(async () => {
    pd = await PagerDutyContractServer.start({ routingKeys: [KEY] });
    events = new PagerDutyEvents({ url: pd.url, caPem: pd.caPem, rateLimitRetryMs: 10 });
  });
  afterAll(() => pd?.close());

  const dedupKey = pagerDutyDedupKey('2b1f0c0e-8d3c-4c56-9a1e-6f7d5b2a9e01');

  it('triggers, acknowledges and resolves one alert under one deterministic dedup key', async () => {
    await expect(events.send({ routingKey: KEY, action: 'trigger', dedupKey, payload: { summary: 'error_rate on payments', source: 'vigil', severity: 'critical', component: 'payments' } })).resolves.toEqual({ dedupKey, status: 202 });
    await events.send({ routingKey: KEY, action: 'acknowledge', dedupKey });
    await events.send({ routingKey: KEY, action: 'resolve', dedupKey });
    expect(pd.alert(KEY, dedupKey)).toMatchObject({ status: 'resolved', actions: ['trigger', 'acknowledge', 'resolve'] });
    expect(anomalyIdOfDedupKey(dedupKey)).toBe('2b1f0c0e-8d3c-4c56-9a1e-6f7d5b2a9e01');
    expect(pd.events[0].headers['user-agent']).toMatch(/^pdjs\//);
  });

  it('reports a 400 (invalid event, unknown routing key) as final', async () => {
    const error = await events.send({ routingKey: 'X'.repeat(32), action: 'trigger', dedupKey, payload: { summary: 's', source: 'vigil', severity: 'critical' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerDutyError);
    expect(error).toMatchObject({ retryable: false, status: 400, message: expect.stringContaining('Invalid routing key') });
  });

  it('reports a 429 that outlasts pdjs\'s own re-sends as retryable, with the Retry-After', async () => {
    pd.failNext({ status: 429, times: 4, retryAfterSeconds: 7 });
    const error = await events.send({ routingKey: KEY, action: 'acknowledge', dedupKey }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
    pd.failNext({ status: 503 });
    await expect(events.send({ routingKey: KEY, action: 'acknowledge', dedupKey })).rejects.toMatchObject({ retryable: true, status: 503 });
  });

  it('verifies v3 webhook signatures (any of several during a rotation) and reads the incident key', () => {
    const { body, headers } = pd.webhook('whsec', { eventType: 'incident.acknowledged', incidentKey: dedupKey });
    expect(verifyPagerDutySignature('whsec', headers['x-pagerduty-signature'], body)).toBe(true);
    expect(verifyPagerDutySignature('whsec', `v1=${'0'.repeat(64)}, ${headers['x-pagerduty-signature']}`, body)).toBe(true);
    expect(verifyPagerDutySignature('other', headers['x-pagerduty-signature'], body)).toBe(false);
    expect(verifyPagerDutySignature('whsec', pagerDutySignature('whsec', `${body} `), body)).toBe(false);
    expect(parsePagerDutyWebhook(JSON.parse(body))).toMatchObject({ eventType: 'incident.acknowledged', incidentKey: dedupKey, agent: { type: 'user_reference' } });
  });
});
