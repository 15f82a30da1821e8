/**
 * A local stand-in for the Kubernetes API server, for tests: the handful of endpoints the executor uses, with the
 * documented shapes and semantics —
 * - apps/v1 deployments: get, patch (application/merge-patch+json and application/strategic-merge-patch+json),
 *   the autoscaling/v1 `scale` subresource (get, patch), and a miniature deployment controller that creates or
 *   re-numbers ReplicaSets (annotation deployment.kubernetes.io/revision) when the pod template changes;
 * - apps/v1 replicasets list with `labelSelector`; core/v1 nodes get/patch; pods list (all namespaces or one) with
 *   `fieldSelector` (spec.nodeName, metadata.namespace, metadata.name); pods/eviction POST (policy/v1 Eviction) with
 *   PodDisruptionBudget refusals (429);
 * - metav1.Status bodies for errors, resourceVersion bumped on every write and a 409 Conflict when a patch carries a
 *   stale metadata.resourceVersion, `dryRun=All` honoured (nothing persisted), 401 without the bearer token.
 * Every request is recorded so tests can count calls.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyMergePatch, applyStrategicMergePatch, canonicalJson, isJsonObject, jsonEqual, type Json, type JsonObject } from '../json-merge';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, comparableTemplate, type PodTemplate } from '../kubernetes-objects';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  readonly body: unknown;
}

export interface RequestMatch {
  readonly method?: string;
  readonly pathIncludes?: string;
}

export interface SeedDeployment {
  readonly namespace: string;
  readonly name: string;
  readonly replicas?: number;
  /** Rollout history, oldest first: each image becomes one ReplicaSet revision (1, 2, …); the last one is live. */
  readonly images: readonly string[];
  readonly containerName?: string;
  readonly paused?: boolean;
}

export interface SeedPod {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly owner?: { readonly kind: string; readonly name: string };
  readonly mirror?: boolean;
}

interface InjectedFailure extends RequestMatch {
  remaining: number;
  readonly status: number;
}

type Stored = JsonObject & { metadata: JsonObject };

const STATUS_REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

class StatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

/** metav1.Status, as the API server answers errors. */
export function statusBody(code: number, message: string, details?: JsonObject): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: STATUS_REASONS[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  };
}

const clone = <T extends Json>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const obj = (value: Json | undefined): JsonObject => (isJsonObject(value) ? value : {});

export class KubernetesContractServer {
  readonly requests: RecordedRequest[] = [];
  private readonly deployments = new Map<string, Stored>();
  private readonly replicaSets = new Map<string, Stored>();
  private readonly nodes = new Map<string, Stored>();
  private readonly pods = new Map<string, Stored>();
  private readonly pdbBlocks = new Map<string, number>();
  private readonly failures: InjectedFailure[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private resourceVersion = 100;
  /** Evicted pods linger (with deletionTimestamp) this long before they disappear; default 0. */
  podTerminationMs = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(options: { token?: string } = {}): Promise<KubernetesContractServer> {
    const token = options.token ?? 'k8s-test-token';
    const holder: { instance?: KubernetesContractServer } = {};
    const server = http.createServer((req, res) => void holder.instance?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new KubernetesContractServer(server, `http://127.0.0.1:${port}`, token);
    return holder.instance;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ seeding and inspection

  addDeployment(seed: SeedDeployment): void {
    if (seed.images.length === 0) throw new Error('a deployment needs at least one image');
    const labels = { app: seed.name };
    const container = seed.containerName ?? seed.name;
    const deployment: Stored = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: seed.name, namespace: seed.namespace, uid: randomUUID(), generation: 0, labels, annotations: {} },
      spec: {
        replicas: seed.replicas ?? 3,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [] } },
        strategy: { type: 'RollingUpdate' },
      },
      status: {},
    };
    const key = `${seed.namespace}/${seed.name}`;
    this.deployments.set(key, deployment);
    for (const image of seed.images) {
      const current = this.mustGet(this.deployments, key, 'deployments.apps', seed.name);
      const next = clone(current);
      next.spec = { ...obj(next.spec), template: { metadata: { labels }, spec: { containers: [{ name: container, image, ports: [{ containerPort: 8080 }] }] } } };
      this.writeDeployment(current, next);
    }
    if (seed.paused) this.mustGet(this.deployments, key, 'deployments.apps', seed.name).spec = { ...obj(this.mustGet(this.deployments, key, 'deployments.apps', seed.name).spec), paused: true };
  }

  addNode(name: string, options: { unschedulable?: boolean } = {}): void {
    this.nodes.set(name, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, uid: randomUUID(), labels: { 'kubernetes.io/hostname': name }, resourceVersion: this.nextVersion() },
      spec: options.unschedulable ? { unschedulable: true } : {},
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  addPod(seed: SeedPod): void {
    this.pods.set(`${seed.namespace}/${seed.name}`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: seed.name,
        namespace: seed.namespace,
        uid: randomUUID(),
        resourceVersion: this.nextVersion(),
        ...(seed.owner ? { ownerReferences: [{ apiVersion: seed.owner.kind === 'DaemonSet' || seed.owner.kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind: seed.owner.kind, name: seed.owner.name, uid: randomUUID(), controller: true }] } : {}),
        ...(seed.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'mirror-hash' } } : {}),
      },
      spec: { nodeName: seed.nodeName, containers: [{ name: 'main', image: 'busybox' }] },
      status: { phase: 'Running' },
    });
  }

  /** The next `times` evictions of this pod are refused with 429, as when a PodDisruptionBudget allows no disruption. */
  blockEviction(namespace: string, name: string, times: number): void {
    this.pdbBlocks.set(`${namespace}/${name}`, times);
  }

  /** Answer the next `count` matching requests with `status` (a Status body), before auth and routing. */
  failNext(count: number, status: number, match: RequestMatch = {}): void {
    this.failures.push({ ...match, remaining: count, status });
  }

  deployment(namespace: string, name: string): JsonObject {
    return clone(this.mustGet(this.deployments, `${namespace}/${name}`, 'deployments.apps', name));
  }

  replicaSetsOf(namespace: string, name: string): JsonObject[] {
    return [...this.replicaSets.values()].filter((rs) => rs.metadata.namespace === namespace && obj(obj(rs.metadata).labels).app === name).map((rs) => clone(rs));
  }

  node(name: string): JsonObject {
    return clone(this.mustGet(this.nodes, name, 'nodes', name));
  }

  podNames(): string[] {
    return [...this.pods.keys()].sort();
  }

  /** Simulates another client changing the deployment (bumps its resourceVersion). */
  touchDeployment(namespace: string, name: string): void {
    const deployment = this.mustGet(this.deployments, `${namespace}/${name}`, 'deployments.apps', name);
    deployment.metadata.resourceVersion = this.nextVersion();
  }

  requestsMatching(match: RequestMatch): RecordedRequest[] {
    return this.requests.filter((r) => matches(match, r.method, r.path));
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      body = text;
    }
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
    this.requests.push(request);
    let status = 200;
    let payload: Json;
    try {
      ({ status, payload } = this.route(request));
    } catch (error) {
      const statusError = error instanceof StatusError ? error : new StatusError(500, error instanceof Error ? error.message : String(error));
      status = statusError.code;
      payload = statusBody(statusError.code, statusError.message, statusError.details);
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  private route(request: RecordedRequest): { status: number; payload: Json } {
    const failure = this.failures.find((f) => f.remaining > 0 && matches(f, request.method, request.path));
    if (failure) {
      failure.remaining--;
      throw new StatusError(failure.status, `injected ${failure.status}`);
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) throw new StatusError(401, 'Unauthorized');
    const dryRun = request.query.dryRun;
    if (dryRun !== undefined && dryRun !== 'All') throw new StatusError(400, `invalid dry run option: ${dryRun}`);
    const isDryRun = dryRun === 'All';
    const { method, path } = request;
    let m: RegExpExecArray | null;

    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)(\/scale)?$/.exec(path))) {
      const [, namespace, name, scale] = m;
      const deployment = this.mustGet(this.deployments, `${namespace}/${name}`, 'deployments.apps', name);
      if (method === 'GET') return ok(scale ? this.scaleOf(deployment) : clone(deployment));
      if (method !== 'PATCH') throw new StatusError(405, `${method} not allowed`);
      const patch = this.patchBody(request, 'deployments.apps', name, deployment);
      const next = scale ? this.applyScalePatch(deployment, patch) : this.applyPatch(request, deployment, patch);
      const result = isDryRun ? this.previewDeployment(deployment, next) : this.writeDeployment(deployment, next);
      return ok(scale ? this.scaleOf(result) : result);
    }
    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/.exec(path)) && method === 'GET') {
      const namespace = m[1];
      const selector = parseSelector(request.query.labelSelector ?? '', 'label');
      const items = [...this.replicaSets.values()].filter((rs) => rs.metadata.namespace === namespace && selector((key) => obj(rs.metadata.labels)[key]));
      return ok(this.list('ReplicaSetList', 'apps/v1', items));
    }
    if ((m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path))) {
      const name = m[1];
      const node = this.mustGet(this.nodes, name, 'nodes', name);
      if (method === 'GET') return ok(clone(node));
      if (method !== 'PATCH') throw new StatusError(405, `${method} not allowed`);
      const next = this.applyPatch(request, node, this.patchBody(request, 'nodes', name, node));
      const unschedulable = obj(next.spec).unschedulable;
      if (unschedulable !== undefined && typeof unschedulable !== 'boolean') throw new StatusError(422, `Node "${name}" is invalid: spec.unschedulable: must be a boolean`);
      if (isDryRun) return ok(next);
      next.metadata.resourceVersion = this.nextVersion();
      this.nodes.set(name, next);
      return ok(clone(next));
    }
    if ((m = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/pods$/.exec(path)) && method === 'GET') {
      const namespace = m[1];
      const selector = parseSelector(request.query.fieldSelector ?? '', 'field');
      const labels = parseSelector(request.query.labelSelector ?? '', 'label');
      const items = [...this.pods.values()].filter(
        (pod) => (namespace === undefined || pod.metadata.namespace === namespace) && selector((field) => podField(pod, field)) && labels((key) => obj(pod.metadata.labels)[key]),
      );
      return ok(this.list('PodList', 'v1', items));
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(path))) {
      if (method !== 'POST') throw new StatusError(405, `${method} not allowed`);
      return this.evict(m[1], m[2], request.body, isDryRun);
    }
    throw new StatusError(404, 'the server could not find the requested resource');
  }

  private evict(namespace: string, name: string, body: unknown, dryRun: boolean): { status: number; payload: Json } {
    const key = `${namespace}/${name}`;
    if (!isJsonObject(body as Json) || (body as JsonObject).kind !== 'Eviction' || (body as JsonObject).apiVersion !== 'policy/v1') {
      throw new StatusError(400, 'expected a policy/v1 Eviction body');
    }
    const pod = this.mustGet(this.pods, key, 'pods', name);
    const blocks = this.pdbBlocks.get(key) ?? 0;
    if (blocks > 0) {
      if (!dryRun) this.pdbBlocks.set(key, blocks - 1);
      throw new StatusError(429, "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${name}-pdb needs 1 healthy pods and has 1 currently` }],
      });
    }
    if (!dryRun && !pod.metadata.deletionTimestamp) {
      if (this.podTerminationMs > 0) {
        pod.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        pod.metadata.resourceVersion = this.nextVersion();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.pods.delete(key);
        }, this.podTerminationMs);
        this.timers.add(timer);
      } else {
        this.pods.delete(key);
      }
    }
    return { status: 201, payload: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  }

  // ------------------------------------------------------------------ patches and the mini controller

  private patchBody(request: RecordedRequest, resource: string, name: string, current: Stored): JsonObject {
    patchContentType(request);
    const body = request.body;
    if (!isJsonObject(body as Json)) throw new StatusError(400, 'the body of the request was in an unknown format');
    const patch = body as JsonObject;
    const expected = obj(patch.metadata).resourceVersion;
    if (typeof expected === 'string' && expected !== current.metadata.resourceVersion) {
      throw new StatusError(409, `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
        name,
        kind: resource.split('.')[0],
      });
    }
    return patch;
  }

  private applyPatch(request: RecordedRequest, current: Stored, patch: JsonObject): Stored {
    const contentType = patchContentType(request);
    const withoutVersion = { ...patch, metadata: { ...obj(patch.metadata) } };
    delete (withoutVersion.metadata as JsonObject).resourceVersion;
    return (contentType === 'application/merge-patch+json' ? applyMergePatch(clone(current), withoutVersion) : applyStrategicMergePatch(clone(current), withoutVersion)) as Stored;
  }

  private applyScalePatch(deployment: Stored, patch: JsonObject): Stored {
    const replicas = obj(patch.spec).replicas;
    if (!(typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0)) throw new StatusError(422, 'Scale.autoscaling "scale" is invalid: spec.replicas: must be a non-negative integer');
    const next = clone(deployment);
    next.spec = { ...obj(next.spec), replicas };
    return next;
  }

  private scaleOf(deployment: Stored): JsonObject {
    const spec = obj(deployment.spec);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: deployment.metadata.name, namespace: deployment.metadata.namespace, uid: deployment.metadata.uid, resourceVersion: deployment.metadata.resourceVersion },
      spec: { replicas: spec.replicas ?? 1 },
      status: { replicas: obj(deployment.status).replicas ?? 0, selector: Object.entries(obj(obj(spec.selector).matchLabels)).map(([k, v]) => `${k}=${String(v)}`).join(',') },
    };
  }

  private validateDeployment(next: Stored): void {
    const replicas = obj(next.spec).replicas;
    if (!(typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0)) throw new StatusError(422, 'Deployment.apps is invalid: spec.replicas: must be a non-negative integer');
    const containers = obj(obj(obj(next.spec).template).spec).containers;
    if (!Array.isArray(containers)) throw new StatusError(422, 'Deployment.apps is invalid: spec.template.spec.containers: Required value');
  }

  /** What a dry run answers: the object as it would be stored, including the controller's annotation and generation. */
  private previewDeployment(current: Stored, next: Stored): Stored {
    this.validateDeployment(next);
    const preview = clone(next);
    if (!jsonEqual(obj(current.spec) as Json, obj(preview.spec) as Json)) preview.metadata.generation = Number(current.metadata.generation ?? 0) + 1;
    return preview;
  }

  /** Persists a Deployment and runs the deployment controller's ReplicaSet bookkeeping. */
  private writeDeployment(current: Stored, next: Stored): Stored {
    this.validateDeployment(next);
    const key = `${next.metadata.namespace}/${next.metadata.name}`;
    if (!jsonEqual(obj(current.spec) as Json, obj(next.spec) as Json)) next.metadata.generation = Number(current.metadata.generation ?? 0) + 1;
    next.metadata.resourceVersion = this.nextVersion();
    const spec = obj(next.spec);
    const template = obj(spec.template);
    const hash = createHash('sha256').update(canonicalJson(comparableTemplate(template as unknown as PodTemplate))).digest('hex').slice(0, 10);
    const owned = [...this.replicaSets.values()].filter((rs) => (rs.metadata.ownerReferences as JsonObject[] | undefined)?.some((o) => o.uid === next.metadata.uid));
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(obj(rs.metadata.annotations)[REVISION_ANNOTATION] ?? 0)));
    let live = owned.find((rs) => obj(rs.metadata.labels)[POD_TEMPLATE_HASH_LABEL] === hash);
    if (!live) {
      const labels = { ...obj(obj(template.metadata).labels), [POD_TEMPLATE_HASH_LABEL]: hash };
      live = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${next.metadata.name}-${hash}`,
          namespace: next.metadata.namespace,
          uid: randomUUID(),
          labels,
          annotations: { [REVISION_ANNOTATION]: String(maxRevision + 1) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: next.metadata.name, uid: next.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: 0, selector: { matchLabels: { ...obj(obj(spec.selector).matchLabels), [POD_TEMPLATE_HASH_LABEL]: hash } }, template: { ...clone(template), metadata: { ...obj(template.metadata), labels } } },
        status: {},
      };
      this.replicaSets.set(`${next.metadata.namespace}/${String(live.metadata.name)}`, live);
    } else if (Number(obj(live.metadata.annotations)[REVISION_ANNOTATION]) !== maxRevision) {
      // Rolling back to an old ReplicaSet gives it the next revision number, as the real controller does.
      live.metadata.annotations = { ...obj(live.metadata.annotations), [REVISION_ANNOTATION]: String(maxRevision + 1) };
    }
    const replicas = Number(spec.replicas ?? 1);
    for (const rs of [...owned, live]) {
      const count = rs === live ? replicas : 0;
      rs.spec = { ...obj(rs.spec), replicas: count };
      rs.status = { replicas: count, readyReplicas: count, availableReplicas: count };
      rs.metadata.resourceVersion = this.nextVersion();
    }
    next.metadata.annotations = { ...obj(next.metadata.annotations), [REVISION_ANNOTATION]: String(obj(live.metadata.annotations)[REVISION_ANNOTATION]) };
    next.status = { observedGeneration: next.metadata.generation ?? 0, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
    this.deployments.set(key, next);
    return clone(next);
  }

  // ------------------------------------------------------------------ helpers

  private list(kind: string, apiVersion: string, items: Stored[]): JsonObject {
    return { kind, apiVersion, metadata: { resourceVersion: String(this.resourceVersion) }, items: items.map((item) => clone(item)) };
  }

  private mustGet(map: Map<string, Stored>, key: string, resource: string, name: string): Stored {
    const found = map.get(key);
    if (!found) throw new StatusError(404, `${resource} "${name}" not found`, { name, kind: resource.split('.')[0] });
    return found;
  }

  private nextVersion(): string {
    return String(++this.resourceVersion);
  }
}

function patchContentType(request: RecordedRequest): 'application/merge-patch+json' | 'application/strategic-merge-patch+json' {
  const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim();
  if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') return contentType;
  throw new StatusError(415, `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'none'})`);
}

const ok = (payload: Json): { status: number; payload: Json } => ({ status: 200, payload });

function matches(match: RequestMatch, method: string, path: string): boolean {
  return (match.method === undefined || match.method === method) && (match.pathIncludes === undefined || path.includes(match.pathIncludes));
}

/** Equality-based selectors (`a=b`, `a==b`, `a!=b`, comma = AND). */
function parseSelector(selector: string, type: 'label' | 'field'): (lookup: (key: string) => Json | undefined) => boolean {
  const terms = selector
    .split(',')
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^([^!=]+)(==|!=|=)(.*)$/.exec(term);
      if (!m) throw new StatusError(400, `unable to parse requirement: ${term}`);
      if (type === 'field' && !['spec.nodeName', 'metadata.namespace', 'metadata.name', 'status.phase'].includes(m[1])) {
        throw new StatusError(400, `field label not supported: ${m[1]}`);
      }
      return { key: m[1], negate: m[2] === '!=', value: m[3] };
    });
  return (lookup) => terms.every(({ key, negate, value }) => (String(lookup(key) ?? '') === value) !== negate);
}

function podField(pod: Stored, field: string): Json | undefined {
  const [section, name] = field.split('.');
  return obj(pod[section])[name];
}
