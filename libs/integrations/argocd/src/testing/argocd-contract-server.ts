/**
 * A local stand-in for the ArgoCD API server (its grpc-gateway REST surface), for tests. Follows the documented
 * request/response shapes of ApplicationService.Get (GET /api/v1/applications/{name}) and ApplicationService.Rollback
 * (POST /api/v1/applications/{name}/rollback, body ApplicationRollbackRequest {name, id, prune, dryRun, appNamespace}),
 * gRPC-gateway error bodies `{error, code, message}` (code = gRPC status code), bearer-token auth, and the
 * controller's effect of a rollback: an operation that runs for a while, then appends a history entry and updates
 * sync and health. Every request is recorded so tests can count calls.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArgoCdApplication, ArgoCdOperationState, ArgoCdRevisionHistory } from '../argocd-types';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  /** Parsed JSON body (raw text when it is not JSON; undefined when empty). */
  readonly body: unknown;
}

export interface RequestMatch {
  readonly method?: string;
  /** Substring of the path, e.g. `/rollback`. */
  readonly pathIncludes?: string;
}

export interface SeedApplication {
  readonly name: string;
  /** Namespace of the Application resource; default `argocd`. */
  readonly namespace?: string;
  /** Deployed revisions, oldest first; they get history ids 0, 1, 2… The last one is live. */
  readonly revisions: readonly string[];
  readonly health?: string;
  readonly syncStatus?: string;
  readonly autoSync?: boolean;
  readonly repoURL?: string;
  readonly path?: string;
}

/** How the controller finishes a rollback operation. */
export interface RollbackBehaviour {
  /** Time the operation stays Running; default 60 ms. */
  readonly durationMs?: number;
  /** `Failed`: sync fails, no history entry. `Degraded`: sync succeeds, health ends Degraded. Default `Succeeded`. */
  readonly outcome?: 'Succeeded' | 'Failed' | 'Degraded';
  /** Health stays Progressing this long after the operation succeeded; default 0. */
  readonly progressingAfterSyncMs?: number;
  /** Sync status after a successful rollback; default Synced (real apps tracking a branch show OutOfSync). */
  readonly syncStatusAfter?: 'Synced' | 'OutOfSync';
}

interface InjectedFailure extends RequestMatch {
  remaining: number;
  readonly status: number;
  readonly message: string;
}

interface HeldResponse extends RequestMatch {
  readonly delayMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type AppState = {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: Mutable<ArgoCdApplication['spec']>;
  operation?: ArgoCdApplication['operation'];
  status: {
    history: ArgoCdRevisionHistory[];
    sync: { status: string; revision: string };
    health: { status: string; message?: string };
    operationState?: ArgoCdOperationState | null;
  };
};

// gRPC status codes as used in grpc-gateway error bodies.
const GRPC = { InvalidArgument: 3, NotFound: 5, PermissionDenied: 7, FailedPrecondition: 9, Aborted: 10, Internal: 13, Unavailable: 14, Unauthenticated: 16 } as const;
const grpcCodeFor = (status: number): number =>
  ({ 400: GRPC.InvalidArgument, 401: GRPC.Unauthenticated, 403: GRPC.PermissionDenied, 404: GRPC.NotFound, 409: GRPC.Aborted, 503: GRPC.Unavailable })[status] ?? GRPC.Internal;

/** RFC 3339 with second precision, as ArgoCD's metav1.Time renders. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ArgoCdContractServer {
  readonly requests: RecordedRequest[] = [];
  private readonly apps = new Map<string, AppState>();
  private readonly failures: InjectedFailure[] = [];
  private readonly held: HeldResponse[] = [];
  private readonly listeners = new Set<(request: RecordedRequest) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private behaviour: RollbackBehaviour = {};
  private resourceVersion = 1000;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(options: { token?: string } = {}): Promise<ArgoCdContractServer> {
    const token = options.token ?? 'argocd-test-token';
    const holder: { instance?: ArgoCdContractServer } = {};
    const server = http.createServer((req, res) => void holder.instance?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new ArgoCdContractServer(server, `http://127.0.0.1:${port}`, token);
    return holder.instance;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addApplication(seed: SeedApplication): void {
    if (seed.revisions.length === 0) throw new Error('an application needs at least one deployed revision');
    const namespace = seed.namespace ?? 'argocd';
    const source = { repoURL: seed.repoURL ?? `https://git.example.com/${seed.name}.git`, path: seed.path ?? 'deploy', targetRevision: 'HEAD' };
    const start = Date.now() - seed.revisions.length * 3_600_000;
    const history = seed.revisions.map((revision, id) => ({
      id,
      revision,
      deployStartedAt: rfc3339(start + id * 3_600_000),
      deployedAt: rfc3339(start + id * 3_600_000 + 30_000),
      source,
    }));
    const live = history[history.length - 1];
    this.apps.set(`${namespace}/${seed.name}`, {
      metadata: { name: seed.name, namespace, resourceVersion: String(++this.resourceVersion) },
      spec: {
        project: 'default',
        source,
        destination: { server: 'https://kubernetes.default.svc', namespace: seed.name },
        ...(seed.autoSync ? { syncPolicy: { automated: { prune: false, selfHeal: false } } } : {}),
      },
      status: {
        history,
        sync: { status: seed.syncStatus ?? 'Synced', revision: live.revision },
        health: { status: seed.health ?? 'Healthy' },
        operationState: {
          operation: { sync: { revision: live.revision }, initiatedBy: { username: 'admin' } },
          phase: 'Succeeded',
          message: 'successfully synced (all tasks run)',
          startedAt: live.deployStartedAt,
          finishedAt: live.deployedAt,
          syncResult: { revision: live.revision, source },
        },
      },
    });
  }

  /** A copy of the application as GET would return it. */
  application(name: string, namespace = 'argocd'): ArgoCdApplication {
    const app = this.apps.get(`${namespace}/${name}`);
    if (!app) throw new Error(`no application ${namespace}/${name}`);
    return JSON.parse(JSON.stringify(app)) as ArgoCdApplication;
  }

  setRollbackBehaviour(behaviour: RollbackBehaviour): void {
    this.behaviour = behaviour;
  }

  /** Answer the next `count` matching requests with `status` (gRPC-gateway error body), before auth and routing. */
  failNext(count: number, status: number, match: RequestMatch = {}, message = `injected ${status}`): void {
    this.failures.push({ ...match, remaining: count, status, message });
  }

  /** Process matching requests at once but hold their responses for `delayMs` (lets a client give up mid-call). */
  holdResponses(match: RequestMatch, delayMs: number): void {
    this.held.push({ ...match, delayMs });
  }

  /** Resolves with the first request (already received or future) matching `match`. */
  waitForRequest(match: RequestMatch, timeoutMs = 10_000): Promise<RecordedRequest> {
    const existing = this.requests.find((request) => matches(match, request.method, request.path));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${match.method ?? ''} ${match.pathIncludes ?? ''} request within ${timeoutMs}ms`));
      }, timeoutMs);
      const listener = (request: RecordedRequest): void => {
        if (!matches(match, request.method, request.path)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(request);
      };
      this.listeners.add(listener);
    });
  }

  /** Recorded rollback POSTs (whatever their answer was). */
  rollbackRequests(name?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/rollback') && (name === undefined || r.path === `/api/v1/applications/${name}/rollback`));
  }

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
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
    this.requests.push(recorded);

    const { status, payload } = this.route(recorded);
    for (const listener of [...this.listeners]) listener(recorded);
    const hold = this.held.find((h) => matches(h, recorded.method, recorded.path));
    if (hold) await new Promise((resolve) => this.schedule(resolve, hold.delayMs));
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  private route(request: RecordedRequest): { status: number; payload: unknown } {
    const failure = this.failures.find((f) => f.remaining > 0 && matches(f, request.method, request.path));
    if (failure) {
      failure.remaining--;
      return errorBody(failure.status, failure.message);
    }
    const authorization = request.headers.authorization;
    if (!authorization) return errorBody(401, 'no session information');
    if (authorization !== `Bearer ${this.token}`) return errorBody(401, 'invalid session: token signature is invalid');

    const match = /^\/api\/v1\/applications\/([^/]+)(\/rollback)?$/.exec(request.path);
    if (!match) return errorBody(404, 'Not Found');
    const name = decodeURIComponent(match[1]);
    const isRollback = match[2] !== undefined;
    if (isRollback && request.method !== 'POST') return errorBody(405, 'Method Not Allowed');
    if (!isRollback && request.method !== 'GET') return errorBody(405, 'Method Not Allowed');

    const bodyNamespace = isRecord(request.body) && typeof request.body.appNamespace === 'string' ? request.body.appNamespace : undefined;
    const namespace = (isRollback ? bodyNamespace : request.query.appNamespace) || 'argocd';
    const app = this.apps.get(`${namespace}/${name}`);
    if (!app) return errorBody(404, `applications.argoproj.io "${name}" not found`);
    if (!isRollback) return { status: 200, payload: app };
    return this.rollback(app, request.body);
  }

  /** Mirrors server/application/application.go Rollback: validate, then set the sync operation for the controller. */
  private rollback(app: AppState, body: unknown): { status: number; payload: unknown } {
    if (!isRecord(body)) return errorBody(400, 'invalid request body');
    const id = Number(body.id);
    if (!Number.isInteger(id)) return errorBody(400, 'id must be an integer');
    if (app.spec.syncPolicy?.automated) return errorBody(400, 'rollback cannot be initiated when auto-sync is enabled', GRPC.FailedPrecondition);
    const entry = app.status.history.find((h) => h.id === id);
    if (!entry) return errorBody(400, `application ${app.metadata.name} does not have deployment with id ${id}`);
    if (app.operation) return errorBody(400, 'error setting app operation: another operation is already in progress', GRPC.FailedPrecondition);
    if (body.dryRun === true) return { status: 200, payload: app };

    const startedAt = rfc3339(Date.now());
    const operation = { sync: { revision: entry.revision, prune: body.prune === true, source: entry.source }, initiatedBy: { username: 'admin' } };
    app.operation = operation;
    app.status.operationState = { operation, phase: 'Running', message: 'rolling back', startedAt };
    app.status.sync = { ...app.status.sync, status: 'OutOfSync' };
    app.status.health = { status: 'Progressing' };
    this.bump(app);
    const response = JSON.parse(JSON.stringify(app)) as unknown;

    const { durationMs = 60, outcome = 'Succeeded', progressingAfterSyncMs = 0, syncStatusAfter = 'Synced' } = this.behaviour;
    this.schedule(() => {
      const finishedAt = rfc3339(Date.now());
      app.operation = undefined;
      if (outcome === 'Failed') {
        app.status.operationState = { operation, phase: 'Failed', message: 'one or more objects failed to apply', startedAt, finishedAt, syncResult: { revision: entry.revision } };
        app.status.health = { status: 'Degraded', message: 'sync failed' };
        this.bump(app);
        return;
      }
      app.status.operationState = { operation, phase: 'Succeeded', message: 'successfully synced (all tasks run)', startedAt, finishedAt, syncResult: { revision: entry.revision, source: entry.source } };
      const nextId = Math.max(...app.status.history.map((h) => h.id)) + 1;
      app.status.history.push({ id: nextId, revision: entry.revision, deployStartedAt: startedAt, deployedAt: finishedAt, source: entry.source });
      app.status.sync = { status: syncStatusAfter, revision: entry.revision };
      const finalHealth = outcome === 'Degraded' ? { status: 'Degraded', message: 'Deployment has minimum availability false' } : { status: 'Healthy' };
      if (progressingAfterSyncMs > 0) {
        app.status.health = { status: 'Progressing' };
        this.schedule(() => {
          app.status.health = finalHealth;
          this.bump(app);
        }, progressingAfterSyncMs);
      } else {
        app.status.health = finalHealth;
      }
      this.bump(app);
    }, durationMs);
    return { status: 200, payload: response };
  }

  private bump(app: AppState): void {
    app.metadata.resourceVersion = String(++this.resourceVersion);
  }

  private schedule(fn: (value?: unknown) => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

function matches(match: RequestMatch, method: string, path: string): boolean {
  return (match.method === undefined || match.method === method) && (match.pathIncludes === undefined || path.includes(match.pathIncludes));
}

function errorBody(status: number, message: string, code = grpcCodeFor(status)): { status: number; payload: unknown } {
  return { status, payload: { error: message, code, message } };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
