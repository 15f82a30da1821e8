import { randomBytes } from 'node:crypto';
import { bubbleUp, investigate } from '@vigil/investigation';
import { ClickHouseMigrator } from '@vigil/telemetry';
import { startClickHouse, type ClickHouseHandle } from '@vigil/testing';
import { ClickHouseReader } from './clickhouse-reader';
import { SpanAttributeCountsQuery } from './bubbleup/span-attribute-counts.query';
import { InvestigationEvidenceGatherer } from './investigation-evidence';
import { investigationScope } from './investigation-scope';
import { BadDeployStory, insertBadDeployStory } from './testing/bad-deploy-story';

jest.setTimeout(120_000);

describe('investigation agents over ClickHouse (chDB)', () => {
  let clickhouse: ClickHouseHandle;
  let story: BadDeployStory;
  const database = `vigil_inv_${randomBytes(4).toString('hex')}`;
  const anomaly = () => ({ service: story.service, signal: 'error_rate', window: story.window, summary: 'payments error rate 70% (expected 0%)' });

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    await new ClickHouseMigrator(clickhouse.client, { database }).migrate();
    story = await insertBadDeployStory(clickhouse.client, database);
  });
  afterAll(async () => {
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse?.stop();
  });

  /** The caller's errors began at `onset`; its callee moved (by chance, or immaterially) and must not be the root. */
  async function expectTracingToStopAt(caller: string, callee: string, onset: number): Promise<void> {
    const window = { start: new Date(onset).toISOString(), end: new Date(onset + 3 * 60_000).toISOString() };
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather({ service: caller, signal: 'error_rate', window });
    expect(input.edges).toContainEqual({ caller, callee, calls: expect.any(Number), errors: 0 });
    const byService = new Map(input.serviceAnomalies!.map((entry) => [entry.service, entry]));
    expect(byService.get(caller)).toMatchObject({ onset, signal: 'error_rate' });
    expect(byService.get(callee)).toEqual({ service: callee, score: 0 });
    const outcome = investigate({ ...input, anomaly: { service: caller, signal: 'error_rate', onset } });
    expect(outcome.findings.find((finding) => finding.kind === 'dependency')?.subject.service).toBe(caller);
  }

  it('counts attribute values of the failing spans against the hour before, weighted, and BubbleUp names app.version=v2', async () => {
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather(anomaly());
    const counts = input.bubbleUp!;
    expect(counts.anomalousTotal).toBe(140);
    expect(counts.baselineTotal).toBe(1200);
    expect(counts.rows).toContainEqual({ attribute: 'app.version', value: 'v2', anomalousCount: 140, baselineCount: 0 });
    expect(counts.rows.some((row) => row.attribute === 'request_id')).toBe(false);
    const [top] = bubbleUp(counts, { population: 'failed requests' }).results;
    expect(top).toMatchObject({ attribute: 'app.version', value: 'v2', anomalousShare: 1, baselineShare: 0 });
  });

  it('folds values past the per-attribute cap into (other) in the SQL, so a high-cardinality attribute stays a few rows', async () => {
    const query = new SpanAttributeCountsQuery(new ClickHouseReader({ client: clickhouse.client, database }), { maxValuesPerAttribute: 2, ignoreAttributes: [] });
    const counts = await query.gather(investigationScope(anomaly()));
    const requestIds = counts.rows.filter((row) => row.attribute === 'request_id');
    expect(requestIds).toHaveLength(3);
    expect(requestIds.find((row) => row.value === '(other)')).toMatchObject({ anomalousCount: 138, baselineCount: 1200 });
  });

  it('for a latency signal, calls the spans at or above the baseline p95 anomalous (weighted), whatever their status', async () => {
    // Six hours before the story, so it shares no window with it: 100 fast baseline spans, then 20 slow ones on shard c.
    const onset = story.onset - 6 * 3_600_000;
    const span = (at: number, durationMs: number, shard: string, weight: number) => ({
      Timestamp: (at / 1000).toFixed(3), TraceId: `lat-${at}`, SpanId: `s-${at}`, ServiceName: 'search', SpanKind: 'Server', StatusCode: 'Ok',
      SpanAttributes: { 'db.shard': shard }, Duration: String(durationMs * 1_000_000), SampleWeight: weight,
    });
    const baseline = Array.from({ length: 100 }, (_, i) => span(onset - 50 * 60_000 + i * 20_000, 30 + (i % 10), i % 2 ? 'a' : 'b', 1));
    // Two slow spans stand for 3 each (sampled); fast ones in the window stand for 10 each and are not slow.
    const window = Array.from({ length: 20 }, (_, i) => span(onset + i * 20_000, 900, 'c', i < 2 ? 3 : 1)).concat(Array.from({ length: 5 }, (_, i) => span(onset + i * 30_000 + 5, 35, 'a', 10)));
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: [...baseline, ...window], format: 'JSONEachRow' });
    const query = new SpanAttributeCountsQuery(new ClickHouseReader({ client: clickhouse.client, database }));
    const counts = await query.gather(investigationScope({ service: 'search', signal: 'latency_p99', window: { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() } }));
    expect(counts).toMatchObject({ anomalousTotal: 24, baselineTotal: 100 });
    expect(counts.rows).toContainEqual({ attribute: 'db.shard', value: 'c', anomalousCount: 24, baselineCount: 0 });
  });

  it('compares the anomalous spans with the baseline of the same service, operation and span kind: a constant version is not over-represented among errors', async () => {
    // Twelve hours before the story: ledger serves POST /reserve and GET /products (server spans with app.version) and calls postgres
    // (client spans without it); from the onset a third of its server spans fail, nothing else changes.
    const onset = story.onset - 12 * 3_600_000;
    const span = (at: number, kind: 'Server' | 'Client', name: string, failed: boolean) => ({
      Timestamp: (at / 1000).toFixed(3), TraceId: `led-${at}-${kind}`, SpanId: `s-${at}-${kind}`, ServiceName: 'ledger', SpanName: name, SpanKind: kind,
      StatusCode: failed ? 'Error' : 'Ok', ResourceAttributes: { 'service.version': 'v1.12.3' },
      SpanAttributes: kind === 'Server' ? { 'app.version': 'v1.12.3', 'http.route': name.split(' ')[1] } : { 'db.system': 'postgresql' },
      Duration: '5000000', SampleWeight: 1,
    });
    const rows = [];
    for (let i = 0; i < 120; i++) {
      const at = onset - 40 * 60_000 + i * 20_000;
      rows.push(span(at, 'Server', 'POST /reserve', false), span(at + 1, 'Client', 'UPDATE stock', false), span(at + 2, 'Server', 'GET /products', false));
    }
    for (let i = 0; i < 30; i++) {
      const at = onset + i * 10_000;
      rows.push(span(at, 'Server', 'POST /reserve', i % 3 === 0), span(at + 1, 'Client', 'UPDATE stock', false), span(at + 2, 'Server', 'GET /products', i === 5));
    }
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: rows, format: 'JSONEachRow' });
    const window = { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() };
    const query = new SpanAttributeCountsQuery(new ClickHouseReader({ client: clickhouse.client, database }));

    const counts = await query.gather(investigationScope({ service: 'ledger', signal: 'error_rate', window }));
    // Baseline: the server spans of both operations (the shapes seen among the errors), not the client spans.
    expect(counts).toMatchObject({ anomalousTotal: 11, baselineTotal: 240 });
    expect(counts.rows).toContainEqual({ attribute: 'app.version', value: 'v1.12.3', anomalousCount: 11, baselineCount: 240 });
    expect(bubbleUp(counts, { population: 'failed requests' }).results.map((result) => result.attribute)).not.toContain('app.version');

    const perOperation = await query.gather(investigationScope({ service: 'ledger', signal: 'error_rate', window, operation: 'POST /reserve' }));
    expect(perOperation).toMatchObject({ anomalousTotal: 10, baselineTotal: 120 });
    expect(perOperation.rows).toContainEqual({ attribute: 'http.route', value: '/reserve', anomalousCount: 10, baselineCount: 120 });
    expect(perOperation.rows.some((row) => row.value === '/products')).toBe(false);
  });

  it('takes no onset from a healthy service\'s stray error before the fault: its errors begin with the fault', async () => {
    // Twenty-four hours before the story: 30 requests a minute for 40 min, one stray error the minute before the onset,
    // then 30% errors from the onset.
    const onset = story.onset - 24 * 3_600_000;
    const rows = [];
    for (let minute = -25; minute < 5; minute++) {
      for (let i = 0; i < 30; i++) {
        const at = onset + minute * 60_000 + i * 2_000;
        const failed = minute >= 0 ? i % 10 < 3 : minute === -1 && i === 7;
        rows.push({
          Timestamp: (at / 1000).toFixed(3), TraceId: `stray-${at}`, SpanId: `s-${at}`, ServiceName: 'stock', SpanName: 'GET /stock', SpanKind: 'Server',
          StatusCode: failed ? 'Error' : 'Ok', Duration: String((20 + (i % 7)) * 1_000_000), SampleWeight: 1,
        });
      }
    }
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: rows, format: 'JSONEachRow' });
    const window = { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() };
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather({ service: 'stock', signal: 'error_rate', window });
    expect(input.serviceAnomalies).toEqual([expect.objectContaining({ service: 'stock', onset, signal: 'error_rate' })]);
  });

  it('does not score a window minute with a handful of requests (the partial minute being written): one failure of two is no onset', async () => {
    const onset = story.onset - 30 * 3_600_000;
    const rows = [];
    for (let minute = -25; minute < 3; minute++) {
      for (let i = 0; i < 30; i++) {
        const at = onset + minute * 60_000 + i * 2_000;
        rows.push({ Timestamp: (at / 1000).toFixed(3), TraceId: `sparse-${at}`, SpanId: `s-${at}`, ServiceName: 'sparse', SpanName: 'GET /x', SpanKind: 'Server', StatusCode: 'Ok', Duration: String((20 + (i % 7)) * 1_000_000), SampleWeight: 1 });
      }
    }
    // The minute after: two requests so far, one failed.
    for (const [i, failed] of [[0, true], [1, false]] as const) {
      const at = onset + 3 * 60_000 + i * 1_000;
      rows.push({ Timestamp: (at / 1000).toFixed(3), TraceId: `sparse-${at}`, SpanId: `s-${at}`, ServiceName: 'sparse', SpanName: 'GET /x', SpanKind: 'Server', StatusCode: failed ? 'Error' : 'Ok', Duration: '20000000', SampleWeight: 1 });
    }
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: rows, format: 'JSONEachRow' });
    const window = { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() };
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather({ service: 'sparse', signal: 'error_rate', window });
    expect(input.serviceAnomalies).toEqual([{ service: 'sparse', score: 0 }]);
  });

  it('does not take a fast database\'s p99 wobble (4 → 12 ms) for an onset: dependency tracing stops at the erroring caller above it', async () => {
    // Forty-two hours before the story: shelf serves 30 requests a minute, each calling shelfdb (4 ms); from the onset
    // half of shelf's requests fail and shelfdb's answers take 12 ms (z far over 5 on its tight baseline, but 8 ms is
    // nothing a caller notices: the error-burst scenario's postgres under a changed tail-sampling mix).
    const onset = story.onset - 42 * 3_600_000;
    const rows = [];
    for (let minute = -25; minute < 4; minute++) {
      for (let i = 0; i < 30; i++) {
        const at = onset + minute * 60_000 + i * 2_000;
        const traceId = `shelf-${at}`;
        const failed = minute >= 0 && i % 2 === 0;
        const dbMs = minute >= 0 ? 12 : 4 + (i % 3) * 0.1;
        rows.push(
          { Timestamp: (at / 1000).toFixed(3), TraceId: traceId, SpanId: `p-${at}`, ServiceName: 'shelf', SpanName: 'GET /shelf', SpanKind: 'Server', StatusCode: failed ? 'Error' : 'Ok', Duration: String(30_000_000), SampleWeight: 1 },
          { Timestamp: (at / 1000 + 0.001).toFixed(3), TraceId: traceId, SpanId: `c-${at}`, ParentSpanId: `p-${at}`, ServiceName: 'shelfdb', SpanName: 'SELECT shelf', SpanKind: 'Server', StatusCode: 'Ok', Duration: String(Math.round(dbMs * 1_000_000)), SampleWeight: 1 },
        );
      }
    }
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: rows, format: 'JSONEachRow' });
    await expectTracingToStopAt('shelf', 'shelfdb', onset);
  });

  it('reads each service\'s minutes from the RED rollup when the processor wrote one: a callee whose few sampled spans look slow by chance is no onset', async () => {
    // Forty-eight hours before the story: cart serves 120 requests a minute, each calling vault (20–24 ms, and one
    // call a minute takes 300 ms); from the onset half of cart's requests fail. Every request is in the RED input
    // (before sampling). Tail sampling keeps the slow trace (weight 1) and every error trace (weight 1), and ~1% of
    // the rest at weight 119: before the fault one healthy trace a minute; after it, by chance, none. The kept error
    // traces' fast vault calls then weigh too little to hold the slow one under the weighted p99: vault's sampled p99
    // jumps 15-fold, while its p99 over all of its requests does not move.
    const onset = story.onset - 48 * 3_600_000;
    const red = [];
    const spans = [];
    const span = (at: number, service: string, failed: boolean, durationMs: number, weight: number, parent?: string) => ({
      Timestamp: (at / 1000).toFixed(3), TraceId: `cart-${parent ?? `cart-${at}`}`, SpanId: `${service}-${at}`, ...(parent ? { ParentSpanId: parent } : {}),
      ServiceName: service, SpanName: service === 'cart' ? 'GET /cart' : 'GET /secret', SpanKind: 'Server', StatusCode: failed ? 'Error' : 'Ok',
      Duration: String(durationMs * 1_000_000), SampleWeight: weight,
    });
    for (let minute = -25; minute < 4; minute++) {
      for (let i = 0; i < 120; i++) {
        const at = onset + minute * 60_000 + i * 500;
        const failed = minute >= 0 && i % 2 === 0;
        const slow = i === 7;
        const vaultMs = slow ? 300 : 20 + (i % 5);
        red.push(
          { StartTime: Math.floor(at / 1000), ServiceName: 'cart', SpanName: 'GET /cart', Duration: String((vaultMs + 10) * 1_000_000), IsError: failed ? 1 : 0 },
          { StartTime: Math.floor(at / 1000), ServiceName: 'vault', SpanName: 'GET /secret', Duration: String(vaultMs * 1_000_000), IsError: 0 },
        );
        const sampledHealthy = minute < 0 && i === 1;
        if (failed || slow || sampledHealthy) {
          const weight = sampledHealthy ? 119 : 1;
          spans.push(span(at, 'cart', failed, vaultMs + 10, weight), span(at + 1, 'vault', false, vaultMs, weight, `cart-${at}`));
        }
      }
    }
    await clickhouse.client.insert({ table: `${database}.otel_red_input`, values: red, format: 'JSONEachRow' });
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: spans, format: 'JSONEachRow' });
    await expectTracingToStopAt('cart', 'vault', onset);
  });

  it('waits for the spans of the anomaly\'s window to land (tail sampling delays them) before reading', async () => {
    const onset = story.onset - 36 * 3_600_000;
    const window = { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() };
    const spans = Array.from({ length: 30 }, (_, i) => {
      const at = onset + i * 2_000;
      return { Timestamp: (at / 1000).toFixed(3), TraceId: `late-${at}`, SpanId: `s-${at}`, ServiceName: 'late', SpanName: 'GET /x', SpanKind: 'Server', StatusCode: 'Error', Duration: '20000000', SampleWeight: 1 };
    });
    const gathering = new InvestigationEvidenceGatherer({ client: clickhouse.client, database }, { awaitSpansMs: 20_000, awaitPollMs: 200 }).gather({ service: 'late', signal: 'error_rate', window });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: spans, format: 'JSONEachRow' });
    const { input } = await gathering;
    expect(input.bubbleUp?.anomalousTotal).toBe(30);
  });

  it('reads the changes of the service and its dependencies before the onset, not those of unrelated services', async () => {
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather(anomaly());
    expect(input.changes).toEqual([
      { service: 'payments', at: new Date(story.onset - 120_000).toISOString(), revision: 'v2', kind: 'deployment', previousRevision: 'v1', source: 'argocd', id: story.changeId },
    ]);
  });

  it('builds the service graph from parent/child spans and finds each service\'s onset from its per-minute error rate', async () => {
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather(anomaly());
    expect(input.edges).toEqual([
      { caller: 'checkout', callee: 'payments', calls: 500, errors: 140 },
      { caller: 'frontend', callee: 'checkout', calls: 500, errors: 140 },
    ]);
    // The graph covers 15 min before the onset to the window's end (25 min × 20 calls). payments calls nothing, so
    // only its own series is read; its errors began at the onset minute.
    expect(input.serviceAnomalies).toEqual([expect.objectContaining({ service: 'payments', onset: story.onset, signal: 'error_rate' })]);
    expect(input.serviceAnomalies![0].score).toBeGreaterThanOrEqual(5);
  });

  it('reads the error logs with their trace ids and exceptions, and a baseline with none', async () => {
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather(anomaly());
    expect(input.logs!.rows).toHaveLength(140);
    expect(input.logs!.rows[0]).toMatchObject({ severityNumber: 17, exceptionType: 'java.lang.NullPointerException', service: 'payments', count: 1 });
    expect(input.logs!.rows[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(input.logs!.baseline).toEqual([]);
  });

  it('measures the footprint of the service: pods, traffic share, environment and Kubernetes workload', async () => {
    const { footprints, input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather(anomaly());
    expect(footprints.get('payments')).toEqual({ service: 'payments', replicas: 3, trafficShare: 0.333, environment: 'prod', k8s: { namespace: 'shop', deployment: 'payments' } });
    expect(input.targets).toEqual({ payments: { argocdApp: 'payments', k8s: { namespace: 'shop', deployment: 'payments' } } });
    expect(input.facts).toEqual([{ service: 'payments', replicas: 3 }]);
  });

  it('counts the OOM kills of a service from its Kubernetes events and hands them to investigate() as its own fact: a leak gets a rollout restart', async () => {
    // Eighteen hours before the story: cache serves requests that slow down; two of its containers are OOMKilled.
    const onset = story.onset - 18 * 3_600_000;
    const spans = Array.from({ length: 60 }, (_, i) => {
      const at = onset - 30 * 60_000 + i * 40_000;
      return {
        Timestamp: (at / 1000).toFixed(3), TraceId: `cache-${at}`, SpanId: `s-${at}`, ServiceName: 'cache', SpanName: 'GET /sku', SpanKind: 'Server', StatusCode: 'Ok',
        ResourceAttributes: { 'k8s.namespace.name': 'shop', 'k8s.deployment.name': 'cache', 'k8s.pod.name': `cache-${i % 2}` },
        SpanAttributes: {}, Duration: String((at >= onset ? 900 : 20) * 1_000_000), SampleWeight: 1,
      };
    });
    const kill = (at: number, pod: string) => ({
      Timestamp: (at / 1000).toFixed(3), ServiceName: 'cache', SeverityText: 'ERROR', SeverityNumber: 17,
      Body: `Container cache in pod ${pod} was OOMKilled (exit code 137); back-off restarting`,
      ResourceAttributes: { 'k8s.pod.name': pod }, LogAttributes: { 'k8s.event.reason': 'OOMKilled' }, SampleWeight: 1,
    });
    await clickhouse.client.insert({ table: `${database}.otel_traces`, values: spans, format: 'JSONEachRow' });
    await clickhouse.client.insert({ table: `${database}.otel_logs`, values: [kill(onset + 150_000, 'cache-0'), kill(onset + 180_000, 'cache-1')], format: 'JSONEachRow' });
    const window = { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() };
    const { input, footprints } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather({ service: 'cache', signal: 'latency_p99', window });
    expect(footprints.get('cache')).toMatchObject({ replicas: 2, oomKills: 2 });
    expect(input.facts).toEqual([{ service: 'cache', replicas: 2, oomKills: 2 }]);
    const outcome = investigate(input);
    expect(outcome.hypotheses[0]).toMatchObject({ cause: 'resource-leak', service: 'cache' });
    expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'k8s.rollout-restart', target: 'k8s:shop/deployment/cache', params: {} });
  });

  it('gives investigate() what it needs to blame the v2 deployment and propose an ArgoCD rollback to v1', async () => {
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather(anomaly());
    const outcome = investigate(input);
    expect(outcome.findings.map((finding) => finding.findingId)).toEqual(
      expect.arrayContaining(['deployment:payments:v2', 'bubbleup:payments:app.version=v2', 'dependency:payments']),
    );
    expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 'v1' } });
  });

  it('dates an SLO burn anomaly (its window the alert\'s hour) by the service\'s first failing minute, so the deploy 2 min before it is rolled back', async () => {
    // Two days before the story, the same bad deploy after two hours of healthy traffic. The 1h/5m burn-rate page raised
    // on the fifth failing minute spans the hour before it, as the detection runner writes it.
    const burn = await insertBadDeployStory(clickhouse.client, database, story.onset - 48 * 3_600_000, 120);
    const raisedOn = burn.onset + 5 * 60_000;
    const window = { start: new Date(raisedOn - 3_600_000).toISOString(), end: new Date(raisedOn + 60_000).toISOString() };
    const { input } = await new InvestigationEvidenceGatherer({ client: clickhouse.client, database }).gather({ service: 'payments', signal: 'slo:availability-99.9', window });
    const outcome = investigate(input);
    expect(outcome.findings.map((finding) => finding.findingId)).toContain('deployment:payments:v2');
    expect(outcome.proposal.candidates[0].action).toEqual({ kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 'v1' } });
    expect(outcome.onset).toMatchObject({ kind: 'metric', at: burn.onset, windowStart: Date.parse(window.start) });
  });
});
