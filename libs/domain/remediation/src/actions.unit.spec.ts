import { actionHashInput, inverseAction } from './actions';

describe('actions', () => {
  it('hash input is canonical JSON of kind, target, params and version, whatever the key order', () => {
    const a = actionHashInput({ kind: 'k8s.scale', target: 'api', params: { replicas: 6, container: 'app' } }, 2);
    const b = actionHashInput({ params: { container: 'app', replicas: 6 }, target: 'api', kind: 'k8s.scale' }, 2);
    expect(a).toBe('{"kind":"k8s.scale","params":{"container":"app","replicas":6},"proposalVersion":2,"target":"api"}');
    expect(b).toBe(a);
  });

  it('hash input differs between versions of the same action', () => {
    const action = { kind: 'k8s.scale', target: 'api', params: { replicas: 6 } } as const;
    expect(actionHashInput(action, 1)).not.toBe(actionHashInput(action, 2));
  });

  it('the inverse of a scale is a scale back to the previous replica count', () => {
    expect(inverseAction({ kind: 'k8s.scale', target: 'api', params: { replicas: 6 } }, { previousReplicas: 3 })).toEqual({
      kind: 'k8s.scale',
      target: 'api',
      params: { replicas: 3 },
    });
  });

  it('the inverse of a rollback rolls forward to the revision live before it', () => {
    expect(inverseAction({ kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 41 } }, { previousRevision: 42 })).toEqual({
      kind: 'argocd.rollback',
      target: 'argocd:payments',
      params: { revision: 42 },
    });
  });

  it('has no inverse for a restart, or when the previous state was not reported', () => {
    expect(inverseAction({ kind: 'k8s.rollout-restart', target: 'api', params: {} }, {})).toBeUndefined();
    expect(inverseAction({ kind: 'k8s.scale', target: 'api', params: { replicas: 6 } }, {})).toBeUndefined();
  });
});
