import type { OtelLogsValueV1, OtelSpansValueV1, SpanV1 } from '@vigil/contracts';
import { LOGS, METRICS, TRACES } from '@vigil/telemetry';
import { encodeSlice, FAULT_KINDS, judge, Scenario, SCENARIO_METRICS, servicesNamedIn, SHOP_TOPOLOGY, type FaultKind } from './index';

const ONSET = Date.UTC(2026, 0, 1, 12, 0, 0);
const scenario = (kind: FaultKind | null, seed = 7) => new Scenario({ seed, fault: kind ? { kind, at: ONSET } : null });

function decodedSpans(body: Buffer): SpanV1[] {
  const converted = TRACES.decode(body, 'protobuf');
  expect(converted.rejected).toBe(0);
  return converted.messages.flatMap((message) => (message.value as OtelSpansValueV1).spans);
}

describe('Scenario', () => {
  it('produces byte-identical OTLP bodies from the same seed, whatever the slicing, and different ones from another seed', () => {
    const whole = encodeSlice(scenario('bad-deploy').generate(ONSET - 5_000, ONSET + 5_000));
    const a = scenario('bad-deploy').generate(ONSET - 5_000, ONSET);
    const b = scenario('bad-deploy').generate(ONSET, ONSET + 5_000);
    const pieces = encodeSlice({ fromMs: ONSET - 5_000, toMs: ONSET + 5_000, spans: [...a.spans, ...b.spans], logs: [...a.logs, ...b.logs], metrics: [...a.metrics, ...b.metrics] });
    expect(pieces.traces).toEqual(whole.traces);
    expect(pieces.logs).toEqual(whole.logs);
    expect(encodeSlice(scenario('bad-deploy').generate(ONSET - 5_000, ONSET + 5_000)).traces).toEqual(whole.traces);
    expect(encodeSlice(scenario('bad-deploy', 8).generate(ONSET - 5_000, ONSET + 5_000)).traces).not.toEqual(whole.traces);
  });

  it.each([
    ['bad-deploy', 'payment', 'argocd.rollback'],
    ['slow-dependency', 'payment-provider', 'ticket.create'],
    ['error-burst', 'inventory', 'ticket.create'],
    ['saturation', 'checkout', 'k8s.scale'],
    ['memory-leak', 'inventory', 'k8s.rollout-restart'],
  ] as const)('labels %s with root cause %s and expected action %s', (kind, rootCauseService, expectedAction) => {
    const label = scenario(kind).label;
    expect(label).toMatchObject({ kind, rootCauseService, expectedAction, onset: new Date(ONSET).toISOString() });
    expect(label?.affectedServices[0]).toBe(rootCauseService);
    expect(label?.affectedServices).toContain('frontend');
  });

  it('lets the root cause service be chosen, and labels nothing without a fault', () => {
    expect(new Scenario({ fault: { kind: 'error-burst', at: ONSET, service: 'payment' } }).label?.rootCauseService).toBe('payment');
    expect(scenario(null).label).toBeNull();
    expect(() => new Scenario({ fault: { kind: 'error-burst', at: ONSET, service: 'nope' } })).toThrow(/no service nope/);
  });

  it('emits traces that decode with the OTLP types: parent/child spans across services, k8s and version resource attributes', () => {
    const spans = encodeSlice(scenario(null).generate(ONSET, ONSET + 2_000)).traces.flatMap(decodedSpans);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const crossService = spans.filter((span) => span.kind === 'Server' && byId.get(span.parentSpanId)?.kind === 'Client');
    const edges = new Set(crossService.map((span) => `${byId.get(span.parentSpanId)?.serviceName}→${span.serviceName}`));
    expect([...edges].sort()).toEqual(['checkout→inventory', 'checkout→payment', 'frontend→checkout', 'frontend→inventory', 'inventory→postgres', 'payment→payment-provider']);
    const frontend = spans.find((span) => span.serviceName === 'frontend' && span.kind === 'Server');
    expect(frontend?.resourceAttributes).toMatchObject({ 'deployment.environment': 'production', 'k8s.namespace.name': 'shop', 'k8s.deployment.name': 'frontend', 'service.version': 'v3.4.1' });
    expect(frontend?.attributes['user.id']).toMatch(/^user-\d+$/);
    expect(new Set(spans.map((span) => span.attributes['user.id'])).size).toBeGreaterThan(20);
  });

  it('marks a bad deploy: new version spans carry app.version and payment_provider=stripe_v3, fail with an exception, and come with the change event', () => {
    const test = scenario('bad-deploy');
    const after = test.generate(ONSET + 60_000, ONSET + 70_000);
    const payment = after.spans.filter((span) => span.resource.service === 'payment' && span.kind === 2);
    const failed = payment.filter((span) => span.error);
    expect(failed.length / payment.length).toBeGreaterThan(0.25);
    expect(failed.every((span) => span.attributes['app.version'] === 'v1.9.0' && span.attributes.payment_provider === 'stripe_v3')).toBe(true);
    expect(test.label?.markers).toEqual([{ attribute: 'app.version', value: 'v1.9.0' }, { attribute: 'payment_provider', value: 'stripe_v3' }]);
    const before = test.generate(ONSET - 10_000, ONSET).spans.filter((span) => span.resource.service === 'payment');
    expect(before.some((span) => span.attributes.payment_provider === 'stripe_v3')).toBe(false);
    expect(test.changeEvents()).toEqual([expect.objectContaining({
      service: 'payment', environment: 'production', revision: 'v1.9.0', previousRevision: 'v1.8.3', kind: 'deployment', source: 'argocd', at: new Date(ONSET).toISOString(),
    })]);
  });

  it('writes error logs with the trace id and exception.type/exception.stacktrace', () => {
    const slice = scenario('error-burst').generate(ONSET + 10_000, ONSET + 13_000);
    const logs = encodeSlice(slice).logs.flatMap((body) => {
      const converted = LOGS.decode(body, 'protobuf');
      expect(converted.rejected).toBe(0);
      return converted.messages.flatMap((message) => (message.value as OtelLogsValueV1).logs);
    });
    const errors = logs.filter((log) => log.severityText === 'ERROR' && log.serviceName === 'inventory');
    expect(errors.length).toBeGreaterThan(5);
    expect(errors[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(errors[0].attributes['exception.type']).toBe('com.shop.inventory.ledger.StockLedgerException');
    expect(errors[0].attributes['exception.stacktrace']).toMatch(/\n\tat com\.shop\.inventory\.ledger\.StockLedger\.reserve/);
  });

  it('slows callers when a dependency gets slow, and saturates CPU as traffic grows', () => {
    const p50 = (test: Scenario, from: number, service: string) => {
      const durations = test.generate(from, from + 10_000).spans.filter((span) => span.resource.service === service && span.kind === 2).map((span) => span.endUs - span.startUs).sort((a, b) => a - b);
      return durations[Math.floor(durations.length / 2)];
    };
    const slow = scenario('slow-dependency');
    expect(p50(slow, ONSET + 60_000, 'checkout')).toBeGreaterThan(3 * p50(slow, ONSET - 10_000, 'checkout'));
    const saturated = scenario('saturation');
    const cpu = (timeMs: number) => saturated.generate(timeMs, timeMs + 10_000).metrics.find((point) => point.name === SCENARIO_METRICS.cpuUtilization && point.resource.service === 'checkout')?.value ?? 0;
    expect(cpu(ONSET - 10_000)).toBeLessThan(0.5);
    expect(cpu(ONSET + 180_000)).toBeGreaterThan(0.9);
    expect(saturated.trafficAt(ONSET + 180_000)).toBe(3);
  });

  it('grows a leaking service memory until OOM kills, with restarts counted and OOMKilled logs', () => {
    const leak = new Scenario({ seed: 7, tracesPerSecond: 5, fault: { kind: 'memory-leak', at: ONSET } });
    const slice = leak.generate(ONSET, ONSET + 200_000);
    const memory = slice.metrics.filter((point) => point.name === SCENARIO_METRICS.memoryUtilization && point.resource.attributes['k8s.pod.name'] === slice.metrics.find((p) => p.resource.service === 'inventory')?.resource.attributes['k8s.pod.name']).map((point) => point.value);
    expect(memory[10]).toBeGreaterThan(memory[1]);
    expect(Math.max(...slice.metrics.filter((point) => point.name === SCENARIO_METRICS.restarts && point.resource.service === 'inventory').map((point) => point.value))).toBeGreaterThanOrEqual(1);
    expect(slice.logs.some((log) => log.severityText === 'FATAL' && log.attributes['exception.type'] === 'java.lang.OutOfMemoryError')).toBe(true);
    expect(slice.logs.some((log) => /OOMKilled/.test(log.body))).toBe(true);
    const metrics = METRICS.decode(encodeSlice(slice).metrics[0], 'protobuf');
    expect(metrics.rejected).toBe(0);
    expect(metrics.accepted).toBeGreaterThan(0);
  });

  it('knows every fault kind', () => {
    for (const kind of FAULT_KINDS) expect(scenario(kind).label?.kind).toBe(kind);
  });
});

describe('judge', () => {
  const label = scenario('slow-dependency').label!;
  it('names the service of the top hypothesis without mistaking payment-provider for payment', () => {
    expect(servicesNamedIn('payment-provider is the deepest anomalous dependency on checkout → payment → payment-provider', SHOP_TOPOLOGY)).toEqual(['payment-provider', 'checkout', 'payment']);
    const verdict = judge(label, {
      topHypothesis: { summary: 'payment-provider is the deepest anomalous dependency on checkout → payment → payment-provider', findingIds: ['dependency:payment-provider'] },
      proposedAction: { kind: 'ticket.create', target: 'jira:OPS' },
    }, SHOP_TOPOLOGY);
    expect(verdict).toEqual({ namedService: 'payment-provider', rootCauseMatched: true, proposedKind: 'ticket.create', actionMatched: true });
  });

  it('prefers the action target over the summary', () => {
    const verdict = judge(scenario('memory-leak').label!, {
      topHypothesis: { summary: 'checkout is slow because inventory leaks memory', suggestedAction: { kind: 'k8s.rollout-restart', target: 'k8s:shop/deployment/inventory' } },
    }, SHOP_TOPOLOGY);
    expect(verdict).toMatchObject({ namedService: 'inventory', rootCauseMatched: true, actionMatched: true });
  });
});
