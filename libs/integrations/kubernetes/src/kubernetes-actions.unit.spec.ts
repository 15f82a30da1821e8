import { InvalidKubernetesActionError, parseDeploymentTarget, parseKubernetesAction, parseNodeTarget } from './kubernetes-actions';

describe('parseDeploymentTarget', () => {
  it.each([
    ['k8s:prod/payments-api', { namespace: 'prod', name: 'payments-api' }],
    ['k8s:prod/deployment/payments-api', { namespace: 'prod', name: 'payments-api' }],
    ['k8s:prod/deployments/api', { namespace: 'prod', name: 'api' }],
    ['k8s:eu-1/payments/deployment/api', { cluster: 'eu-1', namespace: 'payments', name: 'api' }],
  ])('reads %s', (target, expected) => {
    expect(parseDeploymentTarget(target)).toEqual(expected);
  });

  it.each(['prod/api', 'k8s:api', 'k8s:prod/statefulset/db', 'k8s:Prod/api', 'k8s:prod/api/x/y/z', 'node:n1'])('refuses %s', (target) => {
    expect(() => parseDeploymentTarget(target)).toThrow(InvalidKubernetesActionError);
  });
});

describe('parseNodeTarget', () => {
  it('reads node:<name>', () => {
    expect(parseNodeTarget('node:ip-10-0-1-7.eu-west-1.compute.internal')).toBe('ip-10-0-1-7.eu-west-1.compute.internal');
  });

  it.each(['ip-10-0-1-7', 'node:', 'node:a/b', 'k8s:prod/api'])('refuses %s', (target) => {
    expect(() => parseNodeTarget(target)).toThrow(InvalidKubernetesActionError);
  });
});

describe('parseKubernetesAction', () => {
  it('parses each kind', () => {
    expect(parseKubernetesAction({ kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: 6 } })).toEqual({ kind: 'k8s.scale', deployment: { namespace: 'prod', name: 'api' }, replicas: 6 });
    expect(parseKubernetesAction({ kind: 'k8s.rollout-restart', target: 'k8s:prod/api', params: {} })).toMatchObject({ kind: 'k8s.rollout-restart' });
    expect(parseKubernetesAction({ kind: 'k8s.rollback', target: 'k8s:prod/api', params: {} })).toEqual({ kind: 'k8s.rollback', deployment: { namespace: 'prod', name: 'api' } });
    expect(parseKubernetesAction({ kind: 'k8s.rollback', target: 'k8s:prod/api', params: { revision: 3 } })).toMatchObject({ toRevision: 3 });
    expect(parseKubernetesAction({ kind: 'k8s.rollback', target: 'k8s:prod/api', params: { toRevision: 2 } })).toMatchObject({ toRevision: 2 });
    expect(parseKubernetesAction({ kind: 'k8s.cordon-node', target: 'node:n1', params: {} })).toEqual({ kind: 'k8s.cordon-node', node: 'n1' });
    expect(parseKubernetesAction({ kind: 'k8s.uncordon-node', target: 'node:n1', params: {} })).toEqual({ kind: 'k8s.uncordon-node', node: 'n1' });
    expect(parseKubernetesAction({ kind: 'k8s.drain-node', target: 'node:n1', params: { timeoutSeconds: 60, gracePeriodSeconds: 10 } })).toEqual({
      kind: 'k8s.drain-node',
      node: 'n1',
      timeoutSeconds: 60,
      gracePeriodSeconds: 10,
    });
  });

  it.each([
    { kind: 'k8s.scale', target: 'k8s:prod/api', params: {} },
    { kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: -1 } },
    { kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: 2.5 } },
    { kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: '3' } },
    { kind: 'k8s.scale', target: 'node:n1', params: { replicas: 3 } },
    { kind: 'k8s.rollout-restart', target: 'k8s:prod/api', params: { force: true } },
    { kind: 'k8s.rollback', target: 'k8s:prod/api', params: { revision: 0 } },
    { kind: 'k8s.rollback', target: 'k8s:prod/api', params: { revision: 2, toRevision: 3 } },
    { kind: 'k8s.cordon-node', target: 'k8s:prod/api', params: {} },
    { kind: 'k8s.drain-node', target: 'node:n1', params: { timeoutSeconds: 0 } },
    { kind: 'k8s.delete-namespace', target: 'k8s:prod/api', params: {} },
  ])('refuses %j', (action) => {
    expect(() => parseKubernetesAction(action)).toThrow(InvalidKubernetesActionError);
  });
});
