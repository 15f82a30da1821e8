import { startTestVigil, TestVigil } from '../support/start-test-vigil';

const anomaly = { service: 'payments', operation: 'POST /charge', signal: 'error_rate', expected: 0.01, actual: 0.2, score: 9.5, severity: 'error' };

describe('control-plane API basics', () => {
  let vigil: TestVigil;
  beforeAll(async () => {
    vigil = await startTestVigil();
  });
  afterAll(() => vigil?.stop());

  it('refuses a request without a token with 401 AUTH.UNAUTHENTICATED and a correlation id', async () => {
    const response = await vigil.request('GET', '/api/approvals');
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    expect(response.body.correlationId).toEqual(expect.any(String));
  });

  it('lets an auditor read but refuses a change with 403 AUTH.FORBIDDEN, and audits the refusal', async () => {
    expect((await vigil.request('GET', '/api/approvals', { token: vigil.tokens.audrey })).status).toBe(200);
    const refused = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.audrey, body: anomaly });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('AUTH.FORBIDDEN');
    const events = await vigil.runtime.store.readStream('security-audrey');
    expect(events.map((e) => [e.type, (e.data as { code: string }).code])).toContainEqual(['AccessRefused', 'AUTH.FORBIDDEN']);
  });

  it('opens one anomaly per (service, operation, signal): a repeat updates it', async () => {
    const first = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: anomaly });
    expect(first.status).toBe(201);
    expect(first.body.created).toBe(true);
    const again = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { ...anomaly, actual: 0.3 } });
    expect(again.body).toEqual({ id: first.body.id, created: false });
    const stream = await vigil.request('GET', `/api/streams/anomaly-${first.body.id}`, { token: vigil.tokens.alice });
    expect(stream.body.events.map((e: { type: string }) => e.type)).toEqual(['AnomalyDetected', 'AnomalyUpdated']);
  });

  it('opens a single anomaly when reports for a new key race', async () => {
    const body = { ...anomaly, service: 'race-svc' };
    const responses = await Promise.all(Array.from({ length: 10 }, () => vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body })));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.body.created)).toHaveLength(1);
  });

  it('answers bad input with 400 REQUEST.INVALID naming the field, and stores nothing', async () => {
    const response = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { ...anomaly, severity: 'apocalyptic', bogus: 1 } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('REQUEST.INVALID');
    expect(response.body.message).toMatch(/severity/);
  });

  it('shows an aggregate as it stood at a past time', async () => {
    const created = await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { ...anomaly, service: 'timetravel' } });
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { ...anomaly, service: 'timetravel', actual: 0.9 } });
    const past = await vigil.request('GET', `/api/streams/anomaly-${created.body.id}?asOf=${encodeURIComponent(between)}`, { token: vigil.tokens.audrey });
    expect(past.body.events).toHaveLength(1);
    expect(past.body.state.anomaly.occurrences).toBe(1);
    const now = await vigil.request('GET', `/api/streams/anomaly-${created.body.id}`, { token: vigil.tokens.audrey });
    expect(now.body.events).toHaveLength(2);
    expect(now.body.state.anomaly.occurrences).toBe(2);
    expect((await vigil.request('GET', `/api/streams/anomaly-${created.body.id}?asOf=2000-01-01T00:00:00Z`, { token: vigil.tokens.audrey })).status).toBe(404);
  });

  it('keeps security streams for auditors only', async () => {
    expect((await vigil.request('GET', '/api/streams/security-audrey', { token: vigil.tokens.alice })).status).toBe(403);
    expect((await vigil.request('GET', '/api/streams/security-audrey', { token: vigil.tokens.audrey })).status).toBe(200);
  });

  it('lists audit events by actor and type, and exports the log as JSON lines', async () => {
    await waitForAuditIndex(vigil, 'alice');
    const byActor = await vigil.request('GET', '/api/audit/events?actor=alice&type=AnomalyDetected', { token: vigil.tokens.audrey });
    expect(byActor.status).toBe(200);
    expect(byActor.body.items.length).toBeGreaterThan(0);
    expect(byActor.body.items.every((e: { type: string; metadata: { actor: string } }) => e.type === 'AnomalyDetected' && e.metadata.actor === 'alice')).toBe(true);
    const exported = await vigil.request('GET', '/api/audit/export', { token: vigil.tokens.audrey });
    const lines = String(exported.body).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.filter((l) => l.kind === 'event').length).toBeGreaterThan(3);
    expect(lines.every((l) => l.kind === 'event' || l.kind === 'checkpoint')).toBe(true);
  });

  it('streams new domain events over SSE', async () => {
    const controller = new AbortController();
    const response = await fetch(`${vigil.base}/api/events/stream?access_token=${vigil.tokens.lee}`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    await vigil.request('POST', '/api/anomalies', { token: vigil.tokens.alice, body: { ...anomaly, service: 'sse-svc' } });
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: AnomalyDetected') && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(/id: \d+:\d+\nevent: AnomalyDetected\ndata: \{.*"sse-svc"/);
  });
});

async function waitForAuditIndex(vigil: TestVigil, actor: string) {
  for (let i = 0; i < 100; i++) {
    const { rows } = await vigil.runtime.pool.query(`SELECT count(*)::int AS n FROM audit_index WHERE actor = $1`, [actor]);
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
