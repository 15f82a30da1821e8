import { applyMergePatch, type Json } from './json-merge';
import {
  comparableTemplate,
  labelSelector,
  planDrain,
  selectRollbackReplicaSet,
  templatePatch,
  templatesEqual,
  type DeploymentJson,
  type PodJson,
  type PodTemplate,
  type ReplicaSetJson,
} from './kubernetes-objects';

const template = (image: string, hash?: string): PodTemplate => ({
  metadata: { labels: { app: 'api', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'api', image }] },
});

const deployment = (image: string): DeploymentJson => ({
  metadata: { name: 'api', namespace: 'prod', uid: 'dep-uid', resourceVersion: '42', annotations: { 'deployment.kubernetes.io/revision': '3' } },
  spec: { replicas: 3, selector: { matchLabels: { app: 'api', tier: 'web' } }, template: template(image) },
});

const rs = (revision: number, image: string, owner = 'dep-uid'): ReplicaSetJson => ({
  metadata: {
    name: `api-${image.replace(/\W/g, '')}`,
    namespace: 'prod',
    annotations: { 'deployment.kubernetes.io/revision': String(revision) },
    ownerReferences: [{ kind: 'Deployment', name: 'api', uid: owner, controller: true }],
  },
  spec: { template: template(image, `h${revision}`) },
});

describe('pod templates', () => {
  it('compare equal regardless of pod-template-hash', () => {
    expect(templatesEqual(template('a:1'), template('a:1', 'abc'))).toBe(true);
    expect(templatesEqual(template('a:1'), template('a:2'))).toBe(false);
    expect(comparableTemplate(template('a:1', 'abc'))).toEqual(template('a:1'));
  });

  it('builds the label selector', () => {
    expect(labelSelector(deployment('a'))).toBe('app=api,tier=web');
  });

  it('patches the template to exactly the target, with a resourceVersion precondition', () => {
    const current = deployment('api:3');
    const patch = templatePatch(current, { ...template('api:2'), metadata: {} });
    expect(patch.metadata).toEqual({ resourceVersion: '42' });
    expect(applyMergePatch(current.spec?.template as unknown as Json, (patch.spec as { template: Json }).template)).toEqual({ metadata: {}, spec: { containers: [{ name: 'api', image: 'api:2' }] } });
  });
});

describe('selectRollbackReplicaSet (kubectl rollout undo)', () => {
  const history = [rs(1, 'api:1'), rs(3, 'api:3'), rs(2, 'api:2'), rs(9, 'other', 'someone-else')];

  it('goes to the previous revision by default', () => {
    expect(selectRollbackReplicaSet(deployment('api:3'), history)).toMatchObject({
      kind: 'rollback',
      from: { revision: 3, replicaSet: 'api-api3' },
      to: { revision: 2, replicaSet: 'api-api2' },
      template: template('api:2'),
    });
  });

  it('goes to an explicit revision', () => {
    expect(selectRollbackReplicaSet(deployment('api:3'), history, 1)).toMatchObject({ kind: 'rollback', to: { revision: 1 } });
  });

  it('treats the ReplicaSet matching the live template as current, even if it is not the newest', () => {
    // After a rollback to api:2 (re-numbered 4), "previous" is revision 3.
    const after = [rs(1, 'api:1'), rs(3, 'api:3'), rs(4, 'api:2')];
    expect(selectRollbackReplicaSet(deployment('api:2'), after)).toMatchObject({ from: { revision: 4 }, to: { revision: 3 } });
  });

  it('skips older revisions with the same template', () => {
    const dup = [rs(1, 'api:1'), { ...rs(2, 'api:3'), metadata: { ...rs(2, 'api:3').metadata, name: 'dup' } }, rs(3, 'api:3')];
    expect(selectRollbackReplicaSet(deployment('api:3'), dup)).toMatchObject({ to: { revision: 1 } });
  });

  it('reports the impossible cases', () => {
    expect(selectRollbackReplicaSet(deployment('api:1'), [rs(1, 'api:1')])).toMatchObject({ kind: 'impossible', code: 'K8S.NO_PREVIOUS_REVISION' });
    expect(selectRollbackReplicaSet(deployment('api:3'), history, 7)).toMatchObject({ kind: 'impossible', code: 'K8S.REVISION_NOT_FOUND' });
    expect(selectRollbackReplicaSet(deployment('api:3'), [])).toMatchObject({ kind: 'impossible', code: 'K8S.NO_ROLLOUT_HISTORY' });
    expect(selectRollbackReplicaSet(deployment('api:3'), history, 3)).toMatchObject({ kind: 'already-there', current: { revision: 3 } });
  });
});

describe('planDrain', () => {
  const pod = (name: string, extra: Partial<PodJson['metadata']> = {}): PodJson => ({ metadata: { name, namespace: 'ns', ...extra }, spec: { nodeName: 'n1' } });

  it('evicts ordinary pods and skips DaemonSet, mirror and terminating pods', () => {
    const plan = planDrain([
      pod('web', { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true }] }),
      pod('bare'),
      pod('agent', { ownerReferences: [{ kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }),
      pod('static', { annotations: { 'kubernetes.io/config.mirror': 'h' } }),
      pod('leaving', { deletionTimestamp: '2024-01-01T00:00:00Z' }),
    ]);
    expect(plan.evict.map((p) => p.metadata.name)).toEqual(['web', 'bare']);
    expect(plan.skipped).toEqual([
      { pod: 'ns/agent', reason: 'DaemonSet-managed' },
      { pod: 'ns/static', reason: 'mirror pod' },
      { pod: 'ns/leaving', reason: 'already terminating' },
    ]);
  });
});
