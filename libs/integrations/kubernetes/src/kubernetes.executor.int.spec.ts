import type { Action, ExecutionOutcome } from '@vigil/executors';
import { createKubernetesExecutor, STEP_ROLLBACK, type KubernetesExecutor, type KubernetesExecutorConfig } from './kubernetes.executor';
import { InMemoryExecutionJournal, testExecutionContext } from './testing/in-memory-execution-journal';
import { KubernetesContractServer } from './testing/kubernetes-contract-server';

type JsonRecord = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((current, key) => (current as JsonRecord | undefined)?.[key], value);
const imageOf = (deployment: unknown): unknown => (at(deployment, 'spec', 'template', 'spec', 'containers') as JsonRecord[])[0].image;

const succeeded = (outcome: ExecutionOutcome) => {
  if (outcome.status !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return outcome;
};

describe('Kubernetes executor (@kubernetes/client-node) against the contract server', () => {
  let server: KubernetesContractServer;
  let config: KubernetesExecutorConfig;
  let executor: KubernetesExecutor;

  beforeEach(async () => {
    server = await KubernetesContractServer.start();
    server.addDeployment({ namespace: 'prod', name: 'api', replicas: 3, images: ['api:1', 'api:2', 'api:3'] });
    config = { connection: { type: 'token', server: server.url, token: server.token, skipTlsVerify: true }, evictionRetryIntervalMs: 30, pollIntervalMs: 20 };
    executor = createKubernetesExecutor(config);
  });

  afterEach(async () => {
    await server.close();
  });

  describe('k8s.scale', () => {
    const scale = (replicas: number): Action => ({ kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas } });

    it('patches the scale subresource with a resourceVersion precondition and reports the inverse', async () => {
      const before = server.deployment('prod', 'api');
      const outcome = succeeded(await executor.execute(scale(6), testExecutionContext()));
      expect(outcome.result).toEqual({ namespace: 'prod', deployment: 'api', previousReplicas: 3, replicas: 6, changed: true });
      expect(outcome.inverse).toEqual({ kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: 3 } });
      expect(at(server.deployment('prod', 'api'), 'spec', 'replicas')).toBe(6);
      const [patch] = server.requestsMatching({ method: 'PATCH' });
      expect(patch.path).toBe('/apis/apps/v1/namespaces/prod/deployments/api/scale');
      expect(patch.headers['content-type']).toBe('application/merge-patch+json');
      expect(patch.body).toEqual({ metadata: { resourceVersion: at(before, 'metadata', 'resourceVersion') }, spec: { replicas: 6 } });
    });

    it('dry-runs on the server (dryRun=All) and changes nothing', async () => {
      const before = server.deployment('prod', 'api');
      const result = await executor.dryRun(scale(6));
      expect(result).toMatchObject({ supported: true, summary: 'scale prod/api: replicas 3 → 6', details: { serverSideDryRun: true, before: 3, after: 6 } });
      expect(server.requestsMatching({ method: 'PATCH' })[0].query).toEqual({ dryRun: 'All', fieldManager: 'vigil' });
      expect(server.deployment('prod', 'api')).toEqual(before);
    });

    it('re-reads and retries after a 409 Conflict', async () => {
      server.failNext(1, 409, { method: 'PATCH' });
      const outcome = succeeded(await executor.execute(scale(5), testExecutionContext()));
      expect(outcome.result).toMatchObject({ previousReplicas: 3, replicas: 5 });
      expect(server.requestsMatching({ method: 'PATCH' })).toHaveLength(2);
      expect(server.requestsMatching({ method: 'GET' })).toHaveLength(2);
    });

    it('gives up with a retryable K8S.CONFLICT after the bounded retries', async () => {
      server.failNext(100, 409, { method: 'PATCH' });
      const outcome = await createKubernetesExecutor({ ...config, conflictRetries: 2 }).execute(scale(5), testExecutionContext());
      expect(outcome).toMatchObject({ status: 'failed', code: 'K8S.CONFLICT', retryable: true });
      expect(server.requestsMatching({ method: 'PATCH' })).toHaveLength(3);
    });

    it('keeps the original previous replicas across a retry', async () => {
      const journal = new InMemoryExecutionJournal();
      server.failNext(1, 503, { method: 'PATCH' });
      // Attempt 1 journals previousReplicas=3, then its PATCH fails; attempt 2 scales; attempt 3 finds 6 already.
      const first = await executor.execute(scale(6), testExecutionContext({ journal }));
      expect(first).toMatchObject({ status: 'failed', code: 'K8S.SERVER_ERROR', retryable: true });
      succeeded(await executor.execute(scale(6), testExecutionContext({ journal, attempt: 2 })));
      const third = succeeded(await executor.execute(scale(6), testExecutionContext({ journal, attempt: 3 })));
      expect(third.result).toMatchObject({ previousReplicas: 3, replicas: 6 });
      expect(third.inverse).toMatchObject({ params: { replicas: 3 } });
    });

    it('maps 401, 404, 503 and an unreachable server', async () => {
      const unauthorized = await createKubernetesExecutor({ ...config, connection: { type: 'token', server: server.url, token: 'nope', skipTlsVerify: true } }).execute(scale(2), testExecutionContext());
      expect(unauthorized).toMatchObject({ status: 'failed', code: 'K8S.UNAUTHORIZED', retryable: false });
      expect(await executor.execute({ ...scale(2), target: 'k8s:prod/missing' }, testExecutionContext())).toMatchObject({ status: 'failed', code: 'K8S.NOT_FOUND', retryable: false });
      server.failNext(1, 503, { method: 'GET' });
      expect(await executor.execute(scale(2), testExecutionContext())).toMatchObject({ status: 'failed', code: 'K8S.SERVER_ERROR', retryable: true });
      const down = createKubernetesExecutor({ ...config, connection: { type: 'token', server: 'http://127.0.0.1:9', token: 't', skipTlsVerify: true } });
      expect(await down.execute(scale(2), testExecutionContext())).toMatchObject({ status: 'failed', code: 'K8S.UNAVAILABLE', retryable: true });
    });

    it('refuses invalid actions and foreign clusters', async () => {
      expect(await executor.execute(scale(-1), testExecutionContext())).toMatchObject({ status: 'failed', code: 'K8S.INVALID_ACTION', retryable: false });
      const scoped = createKubernetesExecutor({ ...config, clusterName: 'eu-1' });
      expect(await scoped.execute({ ...scale(2), target: 'k8s:us-1/prod/deployment/api' }, testExecutionContext())).toMatchObject({ code: 'K8S.INVALID_ACTION' });
      expect((await scoped.execute({ ...scale(2), target: 'k8s:eu-1/prod/deployment/api' }, testExecutionContext())).status).toBe('succeeded');
      await expect(executor.dryRun(scale(-1))).rejects.toMatchObject({ code: 'K8S.INVALID_ACTION', retryable: false });
    });
  });

  describe('k8s.rollout-restart', () => {
    const restart: Action = { kind: 'k8s.rollout-restart', target: 'k8s:prod/api', params: {} };

    it('stamps restartedAt and the execution id on the pod template, once per execution', async () => {
      const first = succeeded(await executor.execute(restart, testExecutionContext({ executionId: 'exec-42' })));
      expect(first.result).toMatchObject({ alreadyApplied: false });
      const annotations = at(server.deployment('prod', 'api'), 'spec', 'template', 'metadata', 'annotations') as JsonRecord;
      expect(annotations['vigil.dev/execution-id']).toBe('exec-42');
      expect(annotations['kubectl.kubernetes.io/restartedAt']).toBe(first.result.restartedAt);
      expect(server.requestsMatching({ method: 'PATCH' })[0].headers['content-type']).toBe('application/strategic-merge-patch+json');
      expect(server.replicaSetsOf('prod', 'api')).toHaveLength(4); // a new template, a new ReplicaSet

      const again = succeeded(await executor.execute(restart, testExecutionContext({ executionId: 'exec-42', attempt: 2 })));
      expect(again.result).toMatchObject({ alreadyApplied: true, restartedAt: first.result.restartedAt });
      expect(server.requestsMatching({ method: 'PATCH' })).toHaveLength(1);

      succeeded(await executor.execute(restart, testExecutionContext({ executionId: 'exec-43' })));
      expect(server.requestsMatching({ method: 'PATCH' })).toHaveLength(2);
    });

    it('dry-runs without changing anything', async () => {
      const before = server.deployment('prod', 'api');
      const result = await executor.dryRun(restart);
      expect(result.summary).toMatch(/^restart prod\/api: rolls its 3 pod\(s\); spec\.template\.metadata\.annotations: \(none\) → /);
      expect(server.deployment('prod', 'api')).toEqual(before);
    });
  });

  describe('k8s.rollback', () => {
    const undo = (params: Record<string, unknown> = {}): Action => ({ kind: 'k8s.rollback', target: 'k8s:prod/api', params });

    it('rolls back to the previous ReplicaSet revision, and forward again with the inverse', async () => {
      const outcome = succeeded(await executor.execute(undo(), testExecutionContext()));
      expect(outcome.result).toMatchObject({ namespace: 'prod', deployment: 'api', changed: true, revision: 2, previousRevision: 3 });
      expect(outcome.inverse).toEqual({ kind: 'k8s.rollback', target: 'k8s:prod/api', params: { revision: 3 } });
      const deployment = server.deployment('prod', 'api');
      expect(imageOf(deployment)).toBe('api:2');
      expect(at(deployment, 'metadata', 'annotations', 'deployment.kubernetes.io/revision')).toBe('4');
      expect(server.requestsMatching({ method: 'GET', pathIncludes: '/replicasets' })[0].query).toEqual({ labelSelector: 'app=api' });

      const forward = succeeded(await executor.execute(outcome.inverse as Action, testExecutionContext({ executionId: 'exec-2' })));
      expect(forward.result).toMatchObject({ revision: 3, previousRevision: 4 });
      expect(imageOf(server.deployment('prod', 'api'))).toBe('api:3');
    });

    it('rolls back to an explicit revision', async () => {
      succeeded(await executor.execute(undo({ toRevision: 1 }), testExecutionContext()));
      expect(imageOf(server.deployment('prod', 'api'))).toBe('api:1');
    });

    it('does not roll back again on a retry after the patch was applied', async () => {
      const journal = new InMemoryExecutionJournal();
      succeeded(await executor.execute(undo(), testExecutionContext({ journal })));
      expect(journal.steps.map((s) => s.name)).toEqual([STEP_ROLLBACK]);
      // Re-choosing "previous" now would pick revision 3 again; the journal keeps the retry on revision 2.
      const retry = succeeded(await executor.execute(undo(), testExecutionContext({ journal, attempt: 2 })));
      expect(retry.result).toMatchObject({ revision: 2, previousRevision: 3, reconciledEarlierRequest: true });
      expect(server.requestsMatching({ method: 'PATCH' })).toHaveLength(1);
      expect(imageOf(server.deployment('prod', 'api'))).toBe('api:2');
    });

    it('dry-runs with a readable diff and changes nothing', async () => {
      const before = server.deployment('prod', 'api');
      const result = await executor.dryRun(undo());
      expect(result.summary).toBe('roll back prod/api from revision 3 to revision 2: spec.template.spec.containers[api].image: api:3 → api:2');
      expect(server.deployment('prod', 'api')).toEqual(before);
      expect(server.replicaSetsOf('prod', 'api')).toHaveLength(3);
    });

    it('fails when there is no earlier revision, or the deployment is paused', async () => {
      server.addDeployment({ namespace: 'prod', name: 'fresh', images: ['fresh:1'] });
      expect(await executor.execute({ ...undo(), target: 'k8s:prod/fresh' }, testExecutionContext())).toMatchObject({ status: 'failed', code: 'K8S.NO_PREVIOUS_REVISION', retryable: false });
      server.addDeployment({ namespace: 'prod', name: 'held', images: ['held:1', 'held:2'], paused: true });
      expect(await executor.execute({ ...undo(), target: 'k8s:prod/held' }, testExecutionContext())).toMatchObject({ status: 'failed', code: 'K8S.DEPLOYMENT_PAUSED', retryable: false });
    });
  });

  describe('nodes', () => {
    beforeEach(() => {
      server.addNode('n1');
      server.addNode('n2');
      server.addPod({ namespace: 'prod', name: 'web-1', nodeName: 'n1', owner: { kind: 'ReplicaSet', name: 'web-abc' } });
      server.addPod({ namespace: 'prod', name: 'web-2', nodeName: 'n1', owner: { kind: 'ReplicaSet', name: 'web-abc' } });
      server.addPod({ namespace: 'kube-system', name: 'fluentd-n1', nodeName: 'n1', owner: { kind: 'DaemonSet', name: 'fluentd' } });
      server.addPod({ namespace: 'kube-system', name: 'kube-proxy-n1', nodeName: 'n1', mirror: true });
      server.addPod({ namespace: 'prod', name: 'web-3', nodeName: 'n2', owner: { kind: 'ReplicaSet', name: 'web-abc' } });
    });

    it('cordons and uncordons, with inverses', async () => {
      const cordon = succeeded(await executor.execute({ kind: 'k8s.cordon-node', target: 'node:n1', params: {} }, testExecutionContext()));
      expect(cordon.result).toEqual({ node: 'n1', wasUnschedulable: false, unschedulable: true, changed: true });
      expect(at(server.node('n1'), 'spec', 'unschedulable')).toBe(true);
      expect(cordon.inverse).toEqual({ kind: 'k8s.uncordon-node', target: 'node:n1', params: {} });

      const again = succeeded(await executor.execute({ kind: 'k8s.cordon-node', target: 'node:n1', params: {} }, testExecutionContext({ executionId: 'other' })));
      expect(again.result).toMatchObject({ changed: false });
      expect(again.inverse).toBeUndefined();

      succeeded(await executor.execute(cordon.inverse as Action, testExecutionContext({ executionId: 'undo' })));
      expect(at(server.node('n1'), 'spec', 'unschedulable')).toBeUndefined();
    });

    it('dry-runs a cordon without changing the node', async () => {
      const result = await executor.dryRun({ kind: 'k8s.cordon-node', target: 'node:n1', params: {} });
      expect(result.summary).toBe('cordon node n1: spec.unschedulable false → true');
      expect(at(server.node('n1'), 'spec', 'unschedulable')).toBeUndefined();
    });

    it('drains: cordons, skips DaemonSet and mirror pods, retries PDB refusals, waits for the pods to go', async () => {
      server.blockEviction('prod', 'web-2', 2);
      server.podTerminationMs = 60;
      const context = testExecutionContext();
      const outcome = succeeded(await executor.execute({ kind: 'k8s.drain-node', target: 'node:n1', params: { timeoutSeconds: 10 } }, context));
      expect(outcome.result).toEqual({
        node: 'n1',
        wasUnschedulable: false,
        evicted: ['prod/web-1', 'prod/web-2'],
        skipped: [
          { pod: 'kube-system/fluentd-n1', reason: 'DaemonSet-managed' },
          { pod: 'kube-system/kube-proxy-n1', reason: 'mirror pod' },
        ],
      });
      expect(outcome.inverse).toEqual({ kind: 'k8s.uncordon-node', target: 'node:n1', params: {} });
      expect(server.podNames()).toEqual(['kube-system/fluentd-n1', 'kube-system/kube-proxy-n1', 'prod/web-3']);
      expect(at(server.node('n1'), 'spec', 'unschedulable')).toBe(true);
      expect(server.requestsMatching({ method: 'POST', pathIncludes: '/pods/web-1/eviction' })).toHaveLength(1);
      expect(server.requestsMatching({ method: 'POST', pathIncludes: '/pods/web-2/eviction' })).toHaveLength(3);
      expect(server.requestsMatching({ method: 'POST', pathIncludes: '/pods/web-1/eviction' })[0].body).toEqual({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'prod' } });
      expect(server.requestsMatching({ method: 'GET', pathIncludes: '/pods' })[0].query).toEqual({ fieldSelector: 'spec.nodeName=n1' });
      expect(context.heartbeats()).toBeGreaterThan(0);
    });

    it('times out (final) when a PodDisruptionBudget keeps refusing', async () => {
      server.blockEviction('prod', 'web-2', 1_000);
      const outcome = await executor.execute({ kind: 'k8s.drain-node', target: 'node:n1', params: { timeoutSeconds: 0.2 } }, testExecutionContext());
      expect(outcome).toMatchObject({ status: 'failed', code: 'K8S.TIMEOUT', retryable: false });
      expect((outcome as { error: string }).error).toMatch(/prod\/web-2/);
      expect(server.podNames()).not.toContain('prod/web-1');
    });

    it('dry-runs a drain: lists what would be evicted and what a PDB blocks, changes nothing', async () => {
      server.blockEviction('prod', 'web-2', 1);
      const result = await executor.dryRun({ kind: 'k8s.drain-node', target: 'node:n1', params: {} });
      expect(result.summary).toBe(
        'drain: cordon node n1; evict 2 pod(s) (prod/web-1, prod/web-2); skip 2 (kube-system/fluentd-n1: DaemonSet-managed, kube-system/kube-proxy-n1: mirror pod); 1 currently blocked by a PodDisruptionBudget (prod/web-2)',
      );
      expect(server.podNames()).toHaveLength(5);
      expect(at(server.node('n1'), 'spec', 'unschedulable')).toBeUndefined();
      expect(server.requestsMatching({ method: 'POST' }).every((r) => r.query.dryRun === 'All')).toBe(true);
    });
  });
});

describe('Kubernetes contract server', () => {
  let server: KubernetesContractServer;
  beforeEach(async () => {
    server = await KubernetesContractServer.start();
    server.addDeployment({ namespace: 'prod', name: 'api', images: ['api:1'] });
  });
  afterEach(() => server.close());

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${server.token}`, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('answers a stale resourceVersion with a 409 Conflict Status', async () => {
    const response = await call('PATCH', '/apis/apps/v1/namespaces/prod/deployments/api', { metadata: { resourceVersion: '1' }, spec: { replicas: 9 } }, { 'content-type': 'application/merge-patch+json' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409 });
  });

  it('answers 401 without the bearer token and 404 for unknown objects, as Status objects', async () => {
    const unauthorized = await fetch(`${server.url}/apis/apps/v1/namespaces/prod/deployments/api`);
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const missing = await call('GET', '/api/v1/nodes/nope');
    expect(await missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('refuses patch content types it does not implement', async () => {
    const response = await call('PATCH', '/apis/apps/v1/namespaces/prod/deployments/api', [{ op: 'replace', path: '/spec/replicas', value: 2 }], { 'content-type': 'application/json-patch+json' });
    expect(response.status).toBe(415);
  });
});
