import { applyMergePatch, applyStrategicMergePatch, createMergePatch, diffJson, summariseChanges, type Json } from './json-merge';

describe('merge patches (RFC 7386)', () => {
  const from: Json = { a: 1, b: { c: 'x', d: [1, 2] }, gone: true };
  const to: Json = { a: 1, b: { c: 'y', d: [1, 2], e: null }, added: 'z' };

  it('creates the minimal patch, nulling removed keys', () => {
    expect(createMergePatch(from, to)).toEqual({ b: { c: 'y', e: null }, added: 'z', gone: null });
  });

  it('applies it back (null removes)', () => {
    expect(applyMergePatch(from, { b: { c: 'y' }, added: 'z', gone: null })).toEqual({ a: 1, b: { c: 'y', d: [1, 2] }, added: 'z' });
  });

  it('round-trips a pod template exactly, lists replaced whole', () => {
    const current: Json = { metadata: { labels: { app: 'api' }, annotations: { x: '1' } }, spec: { containers: [{ name: 'api', image: 'v3' }, { name: 'sidecar', image: 's' }] } };
    const target: Json = { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'v2' }] } };
    expect(applyMergePatch(current, createMergePatch(current, target))).toEqual(target);
  });
});

describe('strategic merge patch (simplified)', () => {
  it('merges containers by name instead of replacing the list', () => {
    const deployment: Json = { spec: { template: { spec: { containers: [{ name: 'api', image: 'v1', env: [{ name: 'A', value: '1' }] }, { name: 'sidecar', image: 's' }] } } } };
    const patch: Json = { spec: { template: { spec: { containers: [{ name: 'api', image: 'v2', env: [{ name: 'B', value: '2' }] }] } } } };
    expect(applyStrategicMergePatch(deployment, patch)).toEqual({
      spec: { template: { spec: { containers: [{ name: 'api', image: 'v2', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'sidecar', image: 's' }] } } },
    });
  });

  it('adds annotations without touching the others', () => {
    expect(applyStrategicMergePatch({ metadata: { annotations: { a: '1' } } }, { metadata: { annotations: { b: '2' } } })).toEqual({ metadata: { annotations: { a: '1', b: '2' } } });
  });
});

describe('diff summaries', () => {
  it('reports leaf changes with paths', () => {
    expect(summariseChanges(diffJson({ replicas: 3 }, { replicas: 6 }))).toBe('replicas: 3 → 6');
  });

  it('compares named lists by name', () => {
    const before: Json = { containers: [{ name: 'api', image: 'api:3' }, { name: 'proxy', image: 'envoy:1' }] };
    const after: Json = { containers: [{ name: 'proxy', image: 'envoy:1' }, { name: 'api', image: 'api:2' }] };
    expect(summariseChanges(diffJson(before, after, 'spec'))).toBe('spec.containers[api].image: api:3 → api:2');
  });

  it('shows additions and removals, and caps the list', () => {
    expect(summariseChanges(diffJson({ a: 1 }, { b: 2 }))).toBe('a: 1 → (none); b: (none) → 2');
    const many = diffJson({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 });
    expect(summariseChanges(many, 2)).toBe('a: 1 → 2; b: 1 → 2 (+1 more)');
    expect(summariseChanges([])).toBe('no change');
  });
});
