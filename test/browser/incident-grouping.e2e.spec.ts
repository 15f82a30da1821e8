/**
 * The incidents list in a real browser groups the anomalies an investigation found to be one fault under the anomaly
 * that leads the incident (InvestigationConcluded.incident → incidents.lead_anomaly_id → /api/anomalies → console).
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '@vigil/testing';
import { TestVigil } from '../support/start-test-vigil';
import { ConsoleWorld, startConsoleWorld } from './support/console-world';

jest.setTimeout(180_000);

describe('incidents list in chromium', () => {
  let world: ConsoleWorld;
  let vigil: TestVigil;

  beforeAll(async () => {
    // The investigator is off: the spec concludes the saga's investigations itself, as the investigator would.
    world = await startConsoleWorld({}, { investigations: false });
    vigil = world.vigil;
  });
  afterAll(() => world?.stop());

  const detect = async (service: string, signal: string) => {
    const anomalyId = randomUUID();
    const start = new Date(Date.now() - 120_000).toISOString();
    await vigil.runtime.bus.send('anomaly', anomalyId, {
      type: 'DetectAnomaly',
      data: { anomalyId, service, operation: 'POST /pay', signal, expected: 0, actual: 0.3, score: 9, severity: 'error', window: { start, end: new Date(Date.now() - 60_000).toISOString() } },
      metadata: { now: new Date().toISOString(), actor: 'system:detector' },
    });
    const investigationId = await waitFor(
      async () => (await vigil.runtime.pool.query<{ id: string }>(`SELECT data->>'investigationId' AS id FROM events WHERE type = 'InvestigationOpened' AND data->'anomalyIds' ? $1`, [anomalyId])).rows[0]?.id,
      { what: `the investigation of ${service} ${signal}`, timeoutMs: 30_000 },
    );
    return { anomalyId, investigationId };
  };

  it('lists the anomalies grouped into one incident under its lead, and a separate fault on its own', async () => {
    const lead = await detect('payments', 'error_rate');
    const checkout = await detect('checkout', 'error_rate');
    const frontend = await detect('frontend', 'latency_p95');
    const unrelated = await detect('search', 'latency_p99');
    const incident = { leadAnomalyId: lead.anomalyId, anomalyIds: [lead.anomalyId, checkout.anomalyId, frontend.anomalyId] };
    for (const { investigationId } of [lead, checkout, frontend]) {
      await vigil.runtime.bus.send('investigation', investigationId, {
        type: 'ConcludeInvestigation',
        data: { investigationId, hypotheses: [{ summary: 'payments deploy v2', confidence: investigationId === lead.investigationId ? 0.9 : 0 }], incident },
        metadata: { now: new Date().toISOString(), actor: 'ai:investigator' },
      });
    }
    await waitFor(async () => ((await vigil.request('GET', '/api/anomalies', { token: vigil.tokens.alice })).body.items as Array<{ leadAnomalyId: string | null }>).filter((a) => a.leadAnomalyId === lead.anomalyId).length === 2 || undefined, {
      what: 'the incidents read model grouping checkout and frontend under payments',
      timeoutMs: 30_000,
    });

    const page = await world.signedIn(vigil.tokens.alice);
    await page.goto(`${world.origin.url}/#/incidents?status=open`);
    const top = page.locator('ul.incident-list > li');
    await top.first().waitFor();
    // Two incidents at the top level: the payments fault (with its two grouped anomalies) and the unrelated search one.
    expect(await top.evaluateAll((items) => items.map((item) => item.getAttribute('data-anomaly')).sort())).toEqual([lead.anomalyId, unrelated.anomalyId].sort());
    const grouped = page.locator(`ul.incident-list > li[data-anomaly="${lead.anomalyId}"] details.grouped`);
    await grouped.locator('summary', { hasText: '2 more anomalies of this incident' }).click();
    expect(await grouped.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-anomaly')).sort())).toEqual([checkout.anomalyId, frontend.anomalyId].sort());
    await grouped.locator(`li[data-anomaly="${checkout.anomalyId}"] a`, { hasText: 'checkout POST /pay — error_rate' }).waitFor();
    await world.browser.screenshot(page, '20-incidents-grouped');

    // The lead's incident page lists what was grouped into it; a member's page points at the lead.
    await page.goto(`${world.origin.url}/#/incidents/${lead.anomalyId}`);
    const groupedHere = page.locator('section.grouped-anomalies li');
    await groupedHere.first().waitFor();
    expect((await groupedHere.evaluateAll((items) => items.map((item) => item.getAttribute('data-anomaly')))).sort()).toEqual([checkout.anomalyId, frontend.anomalyId].sort());
    await page.goto(`${world.origin.url}/#/incidents/${frontend.anomalyId}`);
    await page.locator(`.grouped-into a[href="#/incidents/${lead.anomalyId}"]`).waitFor();
  });
});
