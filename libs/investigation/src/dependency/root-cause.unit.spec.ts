import { traceRootCause } from './root-cause';
import { buildServiceGraph, dependentsOf, downstreamDistances } from './service-graph';

const T = (minute: number) => Date.UTC(2025, 2, 1, 10, minute);

// frontend → checkout → payments → db ; frontend → catalog ; checkout → email
const graph = buildServiceGraph([
  { caller: 'frontend', callee: 'checkout', calls: 100 },
  { caller: 'checkout', callee: 'payments', calls: 80 },
  { caller: 'payments', callee: 'db', calls: 80 },
  { caller: 'frontend', callee: 'catalog', calls: 300 },
  { caller: 'checkout', callee: 'email', calls: 20 },
]);

describe('service graph', () => {
  it('given span edges, when built, then callers, callees, calls and distances follow the edges', () => {
    expect(graph.services).toEqual(['catalog', 'checkout', 'db', 'email', 'frontend', 'payments']);
    expect(graph.callees('checkout')).toEqual(['email', 'payments']);
    expect(graph.callers('payments')).toEqual(['checkout']);
    expect(graph.calls('frontend', 'catalog')).toBe(300);
    expect(downstreamDistances(graph, 'frontend').get('db')).toBe(3);
  });

  it('given a service deep in the graph, when its dependents are listed, then every transitive caller is there', () => {
    expect(dependentsOf(graph, 'db')).toEqual(['checkout', 'frontend', 'payments']);
    expect(dependentsOf(graph, 'frontend')).toEqual([]);
  });

  it('given a cycle and a self-call, when built and walked, then the walk terminates and the self-call is dropped', () => {
    const cyclic = buildServiceGraph([
      { caller: 'a', callee: 'b' },
      { caller: 'b', callee: 'a' },
      { caller: 'a', callee: 'a' },
    ]);
    expect(cyclic.callees('a')).toEqual(['b']);
    expect(dependentsOf(cyclic, 'a')).toEqual(['b']);
  });
});

describe('traceRootCause', () => {
  it('given a chain of anomalies that began deepest first, when walked from the symptom, then the deepest is the root and the rest propagated', () => {
    const trace = traceRootCause({
      graph,
      symptom: 'frontend',
      anomalies: [
        { service: 'frontend', score: 12, onset: T(5) },
        { service: 'checkout', score: 20, onset: T(4) },
        { service: 'payments', score: 40, onset: T(2), signal: 'latency_p99' },
      ],
    });
    expect(trace.top).toMatchObject({ service: 'payments', role: 'root', depth: 2, path: ['frontend', 'checkout', 'payments'], signal: 'latency_p99' });
    expect(trace.candidates.slice(0, 3).map((candidate) => [candidate.service, candidate.role])).toEqual([
      ['payments', 'root'],
      ['checkout', 'propagated'],
      ['frontend', 'propagated'],
    ]);
    expect(trace.candidates.find((candidate) => candidate.service === 'checkout')?.explainedBy).toEqual(['payments']);
    expect(trace.confidence).toBeGreaterThan(0.8);
  });

  it('given a callee whose anomaly began after its caller\'s, when walked, then it is not taken for the cause and the caller is the root', () => {
    const trace = traceRootCause({
      graph,
      symptom: 'frontend',
      anomalies: [
        { service: 'frontend', score: 12, onset: T(5) },
        { service: 'checkout', score: 20, onset: T(2) },
        { service: 'payments', score: 40, onset: T(9) },
      ],
    });
    expect(trace.top?.service).toBe('checkout');
    expect(trace.candidates.find((candidate) => candidate.service === 'payments')?.role).toBe('unreachable');
  });

  it('given onsets within the tolerance, when walked, then the deeper service explains its caller (same bucket counts as no later)', () => {
    const trace = traceRootCause(
      { graph, symptom: 'checkout', anomalies: [{ service: 'checkout', score: 30, onset: T(3) }, { service: 'payments', score: 8, onset: T(3) + 30_000 }] },
      { onsetToleranceMs: 60_000 },
    );
    expect(trace.top?.service).toBe('payments');
  });

  it('given an anomaly on a branch not connected through anomalous services, when walked, then it ranks after the reachable ones', () => {
    const trace = traceRootCause({
      graph,
      symptom: 'frontend',
      anomalies: [
        { service: 'frontend', score: 9, onset: T(5) },
        { service: 'checkout', score: 9, onset: T(5) },
        { service: 'db', score: 500, onset: T(1) },
      ],
    });
    expect(trace.top?.service).toBe('checkout');
    expect(trace.candidates.find((candidate) => candidate.service === 'db')?.role).toBe('unreachable');
  });

  it('given two roots on different branches, when ranked, then the stronger anomaly wins over the earlier blip', () => {
    const trace = traceRootCause({
      graph,
      symptom: 'frontend',
      anomalies: [
        { service: 'frontend', score: 9, onset: T(5) },
        { service: 'catalog', score: 6, onset: T(1) },
        { service: 'checkout', score: 60, onset: T(4) },
      ],
    });
    expect(trace.candidates.slice(0, 2).map((candidate) => candidate.service)).toEqual(['checkout', 'catalog']);
    expect(trace.confidence).toBeLessThan(0.9);
  });

  it('given scores below minScore, when walked, then those services are healthy and there is no root', () => {
    const trace = traceRootCause({ graph, symptom: 'frontend', anomalies: [{ service: 'frontend', score: 2 }, { service: 'checkout', score: 4 }] }, { minScore: 5 });
    expect(trace.top).toBeUndefined();
    expect(trace.confidence).toBe(0);
    expect(trace.candidates.every((candidate) => candidate.role === 'healthy')).toBe(true);
  });

  it('given no symptom, when walked, then it starts from anomalous services no anomalous service calls', () => {
    const trace = traceRootCause({ graph, anomalies: [{ service: 'checkout', score: 10, onset: T(3) }, { service: 'payments', score: 10, onset: T(2) }] });
    expect(trace.top).toMatchObject({ service: 'payments', path: ['checkout', 'payments'] });
  });

  it('given an anomalous service missing from the graph, when walked without a symptom, then it is still a candidate', () => {
    const trace = traceRootCause({ graph, anomalies: [{ service: 'ghost', score: 50, onset: T(1) }] });
    expect(trace.top?.service).toBe('ghost');
  });

  it('given ISO onsets, when walked, then they are compared as instants', () => {
    const trace = traceRootCause({
      graph,
      symptom: 'checkout',
      anomalies: [
        { service: 'checkout', score: 10, onset: '2025-03-01T10:05:00Z' },
        { service: 'payments', score: 10, onset: '2025-03-01T12:04:00+02:00' },
      ],
    });
    expect(trace.top?.service).toBe('payments');
  });
});
