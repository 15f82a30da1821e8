import { buildServiceGraph } from '../dependency/service-graph';
import { ChangeEvent, changeEvidence, correlateChanges } from './deployment-correlation';

const onset = '2025-03-01T10:00:00Z';
const at = (minutesBefore: number) => Date.parse(onset) - minutesBefore * 60_000;
const graph = buildServiceGraph([
  { caller: 'checkout', callee: 'payments' },
  { caller: 'payments', callee: 'ledger' },
  { caller: 'ledger', callee: 'postgres' },
  { caller: 'frontend', callee: 'checkout' },
]);
const change = (service: string, minutesBefore: number, revision: string, extra: Partial<ChangeEvent> = {}): ChangeEvent => ({
  service,
  at: at(minutesBefore),
  revision,
  kind: 'deployment',
  ...extra,
});

describe('correlateChanges', () => {
  it('given deployments at the same time, when scored, then same service > direct dependency > transitive', () => {
    const result = correlateChanges({
      service: 'checkout',
      onset,
      graph,
      changes: [change('ledger', 5, 'l2'), change('payments', 5, 'p2'), change('checkout', 5, 'c2')],
    });
    expect(result.map((entry) => [entry.change.service, entry.scope, entry.hops])).toEqual([
      ['checkout', 'same-service', 0],
      ['payments', 'direct-dependency', 1],
      ['ledger', 'transitive-dependency', 2],
    ]);
  });

  it('given two deployments of the service, when scored, then the closer one to the onset scores higher (decay)', () => {
    const result = correlateChanges({ service: 'checkout', onset, changes: [change('checkout', 90, 'c1'), change('checkout', 3, 'c2')] });
    expect(result[0].change.revision).toBe('c2');
    expect(result[0].proximity).toBeGreaterThan(0.8);
    expect(result[1].proximity).toBeCloseTo(0.5 ** 6, 4);
  });

  it('given changes to callers, unrelated services, too old, too far, or after the onset, when scored, then they are ignored', () => {
    const result = correlateChanges(
      {
        service: 'checkout',
        onset,
        graph,
        changes: [
          change('frontend', 2, 'f2'),
          change('search', 2, 's2'),
          change('checkout', 300, 'c0'),
          change('postgres', 2, 'pg15'),
          change('checkout', -10, 'c9'),
        ],
      },
      { maxHops: 2 },
    );
    expect(result).toEqual([]);
  });

  it('given a change stamped just after the onset, when scored, then the clock-skew tolerance keeps it at full proximity', () => {
    const [entry] = correlateChanges({ service: 'checkout', onset, changes: [change('checkout', -0.5, 'c2')] });
    expect(entry.proximity).toBe(1);
    expect(entry.summary).toContain('after the anomaly began');
  });

  it('given the history of the service, when scored, then the rollback revision is the one live before the suspect change', () => {
    const [top] = correlateChanges({ service: 'checkout', onset, changes: [change('checkout', 50, 'v1'), change('checkout', 4, 'v2')] });
    expect(top.change.revision).toBe('v2');
    expect(top.rollbackRevision).toBe('v1');
    expect(top.summary).toBe('checkout deployment v2 4 min before the anomaly (same service)');
  });

  it('given a change that names its previous revision, when scored, then that revision wins over the inferred one', () => {
    const [top] = correlateChanges({ service: 'checkout', onset, changes: [change('checkout', 50, 'v1'), change('checkout', 4, 'v3', { previousRevision: 'v2' })] });
    expect(top.rollbackRevision).toBe('v2');
  });

  it('given a scaling event, when scored, then its kind weighs less than a deployment at the same time', () => {
    const result = correlateChanges({ service: 'checkout', onset, changes: [change('checkout', 5, 'r5', { kind: 'scale' }), change('checkout', 5, 'v2')] });
    expect(result.map((entry) => entry.change.kind)).toEqual(['deployment', 'scale']);
  });

  it('given a correlated change, when turned into evidence, then it is plain JSON with the rollback revision', () => {
    const [top] = correlateChanges({ service: 'checkout', onset, changes: [change('checkout', 4, 'v2', { previousRevision: 'v1', source: 'argocd', id: 'h-12' })] });
    expect(changeEvidence(top)).toEqual({
      service: 'checkout',
      kind: 'deployment',
      revision: 'v2',
      at: at(4),
      previousRevision: 'v1',
      rollbackRevision: 'v1',
      source: 'argocd',
      changeId: 'h-12',
      scope: 'same-service',
      hops: 0,
      leadMs: 240_000,
      proximity: top.proximity,
    });
  });
});
