import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadClientNode, type ClientNodeModule } from './client-node';
import { toJson, type JsonObject } from './json-merge';
import type { DeploymentJson, NodeJson, PodJson, ReplicaSetJson } from './kubernetes-objects';

/** How to reach the API server. */
export type KubernetesConnection =
  /** KUBECONFIG / ~/.kube/config, else in-cluster service account (client-node's loadFromDefault). */
  | { readonly type: 'default' }
  /** The pod's service account (KUBERNETES_SERVICE_HOST + /var/run/secrets/kubernetes.io/serviceaccount). */
  | { readonly type: 'in-cluster' }
  | { readonly type: 'kubeconfig'; readonly path: string; readonly context?: string }
  /** API server URL + bearer token. `http:` URLs need skipTlsVerify (client-node's rule). */
  | { readonly type: 'token'; readonly server: string; readonly token: string; readonly skipTlsVerify?: boolean; readonly caData?: string }
  /** A ready KubeConfig. */
  | { readonly type: 'kubeconfig-object'; readonly kubeConfig: KubeConfig };

export function makeKubeConfig(connection: KubernetesConnection, lib: ClientNodeModule = loadClientNode()): KubeConfig {
  if (connection.type === 'kubeconfig-object') return connection.kubeConfig;
  const kubeConfig = new lib.KubeConfig();
  switch (connection.type) {
    case 'default':
      kubeConfig.loadFromDefault();
      break;
    case 'in-cluster':
      kubeConfig.loadFromCluster();
      break;
    case 'kubeconfig':
      kubeConfig.loadFromFile(connection.path);
      if (connection.context) kubeConfig.setCurrentContext(connection.context);
      break;
    case 'token':
      kubeConfig.loadFromClusterAndUser(
        { name: 'vigil', server: connection.server, skipTLSVerify: connection.skipTlsVerify ?? false, ...(connection.caData ? { caData: connection.caData } : {}) },
        { name: 'vigil', token: connection.token },
      );
      break;
  }
  return kubeConfig;
}

/**
 * From the environment, or undefined when nothing is configured (integration off):
 * `KUBERNETES_API_URL` + `KUBERNETES_TOKEN` (+ `KUBERNETES_INSECURE_SKIP_TLS_VERIFY`, `KUBERNETES_CA_FILE`), else
 * `KUBECONFIG` (+ `KUBERNETES_CONTEXT`), else in-cluster when `KUBERNETES_SERVICE_HOST` is set.
 */
export function kubernetesConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): KubernetesConnection | undefined {
  const server = env.KUBERNETES_API_URL?.trim();
  if (server) {
    const token = env.KUBERNETES_TOKEN?.trim();
    if (!token) throw new Error('KUBERNETES_API_URL is set but KUBERNETES_TOKEN is not');
    return {
      type: 'token',
      server,
      token,
      skipTlsVerify: ['1', 'true', 'yes'].includes((env.KUBERNETES_INSECURE_SKIP_TLS_VERIFY ?? '').trim().toLowerCase()),
      ...(env.KUBERNETES_CA_FILE ? { caData: readFileSync(env.KUBERNETES_CA_FILE).toString('base64') } : {}),
    };
  }
  if (env.KUBECONFIG?.trim()) return { type: 'kubeconfig', path: env.KUBECONFIG.split(':')[0], ...(env.KUBERNETES_CONTEXT ? { context: env.KUBERNETES_CONTEXT } : {}) };
  if (env.KUBERNETES_SERVICE_HOST) return { type: 'in-cluster' };
  return undefined;
}

/** The API server answered with an error; `reason` is the Status object's (NotFound, Conflict, TooManyRequests…). */
export class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** No HTTP response (connection refused, DNS, TLS…). */
export class KubernetesNetworkError extends Error {
  override readonly name = 'KubernetesNetworkError';
}

export type PatchType = 'merge' | 'strategic';

/**
 * The calls the executor makes, through @kubernetes/client-node's generated clients (AppsV1Api, CoreV1Api,
 * object-parameter style), returning plain JSON and throwing the two error classes above.
 */
export class KubernetesApi {
  private readonly apps: InstanceType<ClientNodeModule['AppsV1Api']>;
  private readonly core: InstanceType<ClientNodeModule['CoreV1Api']>;

  constructor(
    kubeConfig: KubeConfig,
    private readonly lib: ClientNodeModule = loadClientNode(),
    private readonly fieldManager = 'vigil',
  ) {
    this.apps = kubeConfig.makeApiClient(lib.AppsV1Api);
    this.core = kubeConfig.makeApiClient(lib.CoreV1Api);
  }

  readDeployment(namespace: string, name: string): Promise<DeploymentJson> {
    return this.call(`get deployment ${namespace}/${name}`, () => this.apps.readNamespacedDeployment({ namespace, name }));
  }

  patchDeployment(namespace: string, name: string, body: JsonObject, type: PatchType, dryRun: boolean): Promise<DeploymentJson> {
    return this.call(`patch deployment ${namespace}/${name}`, () =>
      this.apps.patchNamespacedDeployment({ namespace, name, body, fieldManager: this.fieldManager, ...dry(dryRun) }, this.patchOptions(type)),
    );
  }

  /** PATCH …/deployments/{name}/scale (autoscaling/v1 Scale). */
  patchDeploymentScale(namespace: string, name: string, body: JsonObject, dryRun: boolean): Promise<{ spec?: { replicas?: number } }> {
    return this.call(`patch deployment ${namespace}/${name}/scale`, () =>
      this.apps.patchNamespacedDeploymentScale({ namespace, name, body, fieldManager: this.fieldManager, ...dry(dryRun) }, this.patchOptions('merge')),
    );
  }

  async listReplicaSets(namespace: string, labelSelector: string): Promise<ReplicaSetJson[]> {
    const list = await this.call<{ items: ReplicaSetJson[] }>(`list replicasets in ${namespace}`, () => this.apps.listNamespacedReplicaSet({ namespace, labelSelector }));
    return list.items;
  }

  readNode(name: string): Promise<NodeJson> {
    return this.call(`get node ${name}`, () => this.core.readNode({ name }));
  }

  patchNode(name: string, body: JsonObject, dryRun: boolean): Promise<NodeJson> {
    return this.call(`patch node ${name}`, () => this.core.patchNode({ name, body, fieldManager: this.fieldManager, ...dry(dryRun) }, this.patchOptions('merge')));
  }

  async listPodsOnNode(nodeName: string): Promise<PodJson[]> {
    const list = await this.call<{ items: PodJson[] }>(`list pods on ${nodeName}`, () => this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` }));
    return list.items;
  }

  /** POST …/pods/{name}/eviction with a policy/v1 Eviction. 429 = a PodDisruptionBudget forbids it right now. */
  async evictPod(namespace: string, name: string, options: { dryRun: boolean; gracePeriodSeconds?: number }): Promise<void> {
    await this.call(`evict pod ${namespace}/${name}`, () =>
      this.core.createNamespacedPodEviction({
        namespace,
        name,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(options.gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds: options.gracePeriodSeconds } } : {}),
        },
        ...dry(options.dryRun),
      }),
    );
  }

  /** The generated patch methods default to application/json-patch+json; pick the body's type explicitly. */
  private patchOptions(type: PatchType) {
    return this.lib.setHeaderOptions('Content-Type', type === 'merge' ? this.lib.PatchStrategy.MergePatch : this.lib.PatchStrategy.StrategicMergePatch);
  }

  private async call<T>(what: string, request: () => Promise<unknown>): Promise<T> {
    let response: unknown;
    try {
      response = await request();
    } catch (error) {
      throw translateError(what, error);
    }
    return toJson(response) as unknown as T;
  }
}

const dry = (dryRun: boolean): { dryRun?: string } => (dryRun ? { dryRun: 'All' } : {});

/** client-node throws ApiException {code, body} (body: the Status object, or undefined for 401) or node-fetch's FetchError. */
function translateError(what: string, error: unknown): Error {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; body?: unknown; message?: unknown; name?: unknown; type?: unknown };
  if (typeof shape.code === 'number' && shape.code >= 100 && shape.code < 600) {
    const body = (typeof shape.body === 'object' && shape.body !== null ? shape.body : {}) as { message?: unknown; reason?: unknown };
    const message = typeof body.message === 'string' ? body.message : typeof shape.body === 'string' ? shape.body.slice(0, 300) : httpReason(shape.code);
    return new KubernetesApiError(shape.code, `${what}: ${shape.code} ${message}`, typeof body.reason === 'string' ? body.reason : undefined);
  }
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  return new KubernetesNetworkError(`${what}: ${message}`);
}

const httpReason = (status: number): string => ({ 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests' })[status] ?? `HTTP ${status}`;
