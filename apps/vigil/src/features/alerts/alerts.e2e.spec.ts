import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pagerDutyDedupKey, PagerDutyContractServer } from '@vigil/integrations/pagerduty';
import { startTestVigil, TestVigil } from '../../../../../test/support/start-test-vigil';

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const KNOWN_KEY = 'KNOWNR0UTINGKEY00000000000000001';
const UNKNOWN_KEY = 'UNKNOWNR0UTINGKEY000000000000001';

describe('alert intake, silences and dead letters (issue 5, steps 4 and 5)', () => {
  let pd: PagerDutyContractServer;
  let vigil: TestVigil;
  let dir: string;

  beforeAll(async () => {
    pd = await PagerDutyContractServer.start({ routingKeys: [KNOWN_KEY] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
    writeFileSync(join(dir, 'ca.pem'), pd.caPem);
    writeFileSync(
      join(dir, 'silences.yaml'),
      `- name: search-maintenance\n  matchers: [{ name: service, value: search }]\n  startsAt: ${new Date(Date.now() - 60_000).toISOString()}\n  endsAt: ${new Date(Date.now() + 3_600_000).toISOString()}\n  comment: search reindex window\n`,
    );
    vigil = await startTestVigil({
      ALERTMANAGER_WEBHOOK_TOKEN: 'am-token',
      GRAFANA_WEBHOOK_TOKEN: 'grafana-token',
      PAGERDUTY_ROUTING_KEY: KNOWN_KEY,
      PAGERDUTY_ROUTING_KEY_LEVEL_2: UNKNOWN_KEY,
      PAGERDUTY_EVENTS_URL: pd.url,
      PAGERDUTY_CA_FILE: join(dir, 'ca.pem'),
      PAGERDUTY_WEBHOOK_SECRET: 'pd-webhook-secret',
      VIGIL_SILENCES_FILE: join(dir, 'silences.yaml'),
      VIGIL_DELIVERY_BACKOFF_MS: '100',
      VIGIL_DELIVERY_ATTEMPTS: '3',
    });
  });
  afterAll(async () => {
    await vigil?.stop();
    await pd?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const alertmanager = (alerts: unknown[], token = 'am-token') =>
    vigil.request('POST', '/webhooks/alertmanager', { body: { version: '4', groupKey: '{}:{alertname="HighErrorRate"}', status: 'firing', receiver: 'vigil', alerts }, headers: { authorization: `Bearer ${token}` } });
  const firing = (service: string, fingerprint: string, severity = 'warning') => ({
    status: 'firing',
    labels: { alertname: 'HighErrorRate', service, severity, route: '/checkout' },
    annotations: { summary: 'error rate high', value: '0.31', expected: '0.01' },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint,
  });

  it('turns an Alertmanager alert into one anomaly per fingerprint, and its resolution into a resolved anomaly', async () => {
    const first = await alertmanager([firing('checkout', 'fp-1')]);
    expect(first.status).toBe(200);
    expect(first.body.alerts[0]).toMatchObject({ status: 'firing', created: true, fingerprint: 'alertmanager:fp-1' });
    const again = await alertmanager([firing('checkout', 'fp-1')]);
    expect(again.body.alerts[0]).toMatchObject({ anomalyId: first.body.alerts[0].anomalyId, created: false });
    const stream = await vigil.request('GET', `/api/streams/anomaly-${first.body.alerts[0].anomalyId}`, { token: vigil.tokens.audrey });
    expect(stream.body.events[0].data).toMatchObject({ service: 'checkout', operation: '/checkout', signal: 'alert:HighErrorRate', expected: 0.01, actual: 0.31, source: 'alertmanager' });
    const resolved = await alertmanager([{ ...firing('checkout', 'fp-1'), status: 'resolved', endsAt: new Date().toISOString() }]);
    expect(resolved.body.alerts[0]).toMatchObject({ status: 'resolved', resolved: true });
  });

  it('takes Grafana alerting webhooks, and refuses a wrong token', async () => {
    const grafana = await vigil.request('POST', '/webhooks/grafana', {
      headers: { authorization: 'Bearer grafana-token' },
      body: { receiver: 'vigil', status: 'firing', orgId: 1, version: '1', title: '[FIRING:1] Latency', alerts: [{ status: 'firing', labels: { alertname: 'Latency', job: 'cart', severity: 'critical' }, annotations: {}, values: { B: 1.8 }, fingerprint: 'g-1', startsAt: new Date().toISOString() }] },
    });
    expect(grafana.status).toBe(200);
    expect(grafana.body.alerts[0]).toMatchObject({ created: true, fingerprint: 'grafana:g-1' });
    const wrong = await alertmanager([firing('checkout', 'fp-9')], 'nope');
    expect(wrong.status).toBe(401);
  });

  it('silences from the config file and the API suppress matching anomalies (audited), and their pages are not sent', async () => {
    const windowed = await alertmanager([firing('search', 'fp-search', 'critical')]);
    expect(windowed.body.alerts[0].silencedBy).toEqual(expect.any(String));
    const silence = await vigil.request('POST', '/api/silences', {
      token: vigil.tokens.sara,
      body: { matchers: [{ name: 'service', value: 'ledger' }, { name: 'severity', value: 'critical|error', isRegex: true }], endsAt: new Date(Date.now() + 600_000).toISOString(), comment: 'ledger migration' },
    });
    expect(silence.status).toBe(201);
    const anomaly = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { service: 'ledger', operation: 'POST /entries', signal: 'error_rate', expected: 0.01, actual: 0.5, severity: 'critical' } });
    const events = await eventually('AnomalySuppressed', async () => {
      const stream = await vigil.request('GET', `/api/streams/anomaly-${anomaly.body.id}`, { token: vigil.tokens.audrey });
      return stream.body.events.find((e: { type: string }) => e.type === 'AnomalySuppressed') ? stream.body.events : undefined;
    });
    expect(events.find((e: { type: string }) => e.type === 'AnomalySuppressed').data).toMatchObject({ silenceId: silence.body.id, by: 'system:silences' });
    // A critical anomaly pages, unless silenced: give the delivery time, then check nothing reached PagerDuty.
    const unsilenced = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { service: 'payments', operation: 'GET /', signal: 'latency_p99', expected: 100, actual: 900, severity: 'critical' } });
    await eventually('the page of the unsilenced anomaly', () => pd.accepted({ dedupKey: pagerDutyDedupKey(unsilenced.body.id) })[0]);
    expect(pd.accepted({ dedupKey: pagerDutyDedupKey(anomaly.body.id) })).toHaveLength(0);
    expect(pd.accepted({ dedupKey: pagerDutyDedupKey(windowed.body.alerts[0].anomalyId) })).toHaveLength(0);
    const created = await vigil.request('GET', `/api/streams/silence-${silence.body.id}`, { token: vigil.tokens.audrey });
    expect(created.body.events.map((e: { type: string }) => e.type)).toEqual(['SilenceCreated']);
    const expired = await vigil.request('DELETE', `/api/silences/${silence.body.id}`, { token: vigil.tokens.sara });
    expect(expired.body.expiredBy).toBe('sara');
    const after = await vigil.request('GET', `/api/streams/silence-${silence.body.id}`, { token: vigil.tokens.audrey });
    expect(after.body.events.map((e: { type: string }) => e.type)).toEqual(['SilenceCreated', 'SilenceExpired']);
    expect((await vigil.request('POST', '/api/silences', { token: vigil.tokens.alice, body: { matchers: [{ name: 'service', value: 'x' }], endsAt: new Date().toISOString(), comment: 'c' } })).status).toBe(403);
  });

  it('maps an acknowledge made in PagerDuty back onto the anomaly; a bad signature is refused', async () => {
    const anomaly = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { service: 'orders', operation: 'GET /', signal: 'error_rate', expected: 0.01, actual: 0.4, severity: 'warning' } });
    const { body, headers } = pd.webhook('pd-webhook-secret', { eventType: 'incident.acknowledged', incidentKey: pagerDutyDedupKey(anomaly.body.id) });
    const forged = await fetch(`${vigil.base}/webhooks/pagerduty`, { method: 'POST', headers: { ...headers, 'x-pagerduty-signature': `v1=${'0'.repeat(64)}` }, body });
    expect(forged.status).toBe(401);
    const applied = await fetch(`${vigil.base}/webhooks/pagerduty`, { method: 'POST', headers, body });
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ status: 'applied', anomalyId: anomaly.body.id });
    const again = await fetch(`${vigil.base}/webhooks/pagerduty`, { method: 'POST', headers, body });
    expect(await again.json()).toMatchObject({ status: 'duplicate' });
    const stream = await vigil.request('GET', `/api/streams/anomaly-${anomaly.body.id}`, { token: vigil.tokens.audrey });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toContain('AnomalyAcknowledged');
  });

  it('lists a delivery that failed for good as a dead letter and sends it again on request', async () => {
    pd.failNext({ status: 400 }); // PagerDuty refuses the event: final at once, no retry can help
    const anomaly = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { service: 'fraud', operation: 'POST /score', signal: 'error_rate', expected: 0.01, actual: 0.6, severity: 'critical' } });
    const dead = await eventually('the dead letter', async () => {
      const list = await vigil.request('GET', '/api/deliveries/dead-letters', { token: vigil.tokens.audrey });
      return list.body.items.find((item: { kind: string; payload: { refs: { anomalyId?: string } } }) => item.kind === 'pagerduty.notice' && item.payload.refs.anomalyId === anomaly.body.id);
    });
    expect(dead).toMatchObject({ channel: 'pagerduty', attempts: 1, error: expect.stringContaining('PagerDuty refused the trigger (400') });
    expect((await vigil.request('GET', '/api/deliveries/dead-letters', { token: vigil.tokens.alice })).status).toBe(403);
    const retried = await vigil.request('POST', `/api/deliveries/dead-letters/${encodeURIComponent(dead.id)}/retry`, { token: vigil.tokens.admin });
    expect(retried.status).toBe(202);
    await eventually('the page after the redrive', () => pd.accepted({ dedupKey: pagerDutyDedupKey(anomaly.body.id) })[0]);
    const list = await vigil.request('GET', '/api/deliveries/dead-letters', { token: vigil.tokens.audrey });
    expect(list.body.items.find((item: { id: string }) => item.id === dead.id)).toBeUndefined();
  });
});
