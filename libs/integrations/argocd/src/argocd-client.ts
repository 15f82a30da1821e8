import type { ArgoCdApplication, ArgoCdRevisionHistory, ArgoCdRollbackRequest } from './argocd-types';
import { fetchTransport, nodeHttpTransport, type HttpTransport } from './http-transport';

export interface ArgoCdClientOptions {
  /** e.g. `https://argocd.example.com` (no trailing `/api/v1`). */
  readonly baseUrl: string;
  /** Bearer token (an ArgoCD account or project token). */
  readonly token: string;
  /** Accept any TLS certificate. Off by default; uses node:https because global fetch cannot. */
  readonly insecureSkipTlsVerify?: boolean;
  /** Extra trusted CA (PEM). Uses node:https because global fetch cannot. */
  readonly caCertPem?: string;
  /** Per-request timeout; default 15 s. */
  readonly requestTimeoutMs?: number;
  /** Replaces the transport entirely (tests, proxies). */
  readonly transport?: HttpTransport;
}

/** The API server answered with an error (grpc-gateway body `{error, code, message}`; `code` is the gRPC code). */
export class ArgoCdApiError extends Error {
  override readonly name = 'ArgoCdApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly grpcCode?: number,
  ) {
    super(message);
  }
}

/** No HTTP response: connection refused/reset, DNS, TLS, per-request timeout. The request may or may not have arrived. */
export class ArgoCdNetworkError extends Error {
  override readonly name = 'ArgoCdNetworkError';
}

/** The caller's signal aborted the request. The request may or may not have arrived. */
export class ArgoCdAbortedError extends Error {
  override readonly name = 'ArgoCdAbortedError';
}

/**
 * Minimal client for ArgoCD's REST API (the grpc-gateway in front of ApplicationService):
 * - ApplicationService.Get:      GET  /api/v1/applications/{name}?appNamespace=
 * - ApplicationService.Rollback: POST /api/v1/applications/{name}/rollback  body ApplicationRollbackRequest
 */
export class ArgoCdClient {
  private readonly baseUrl: string;
  private readonly transport: HttpTransport;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: ArgoCdClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.transport =
      options.transport ??
      (options.insecureSkipTlsVerify || options.caCertPem !== undefined
        ? nodeHttpTransport({ rejectUnauthorized: !options.insecureSkipTlsVerify, ca: options.caCertPem })
        : fetchTransport);
  }

  async getApplication(name: string, appNamespace?: string, signal?: AbortSignal): Promise<ArgoCdApplication> {
    const query = appNamespace ? `?appNamespace=${encodeURIComponent(appNamespace)}` : '';
    const body = await this.send('GET', `/api/v1/applications/${encodeURIComponent(name)}${query}`, undefined, signal);
    return normaliseApplication(body);
  }

  async rollback(request: ArgoCdRollbackRequest, signal?: AbortSignal): Promise<ArgoCdApplication> {
    const body: Record<string, unknown> = { name: request.name, id: request.id, prune: request.prune, dryRun: request.dryRun };
    if (request.appNamespace) body.appNamespace = request.appNamespace;
    const response = await this.send('POST', `/api/v1/applications/${encodeURIComponent(request.name)}/rollback`, JSON.stringify(body), signal);
    return normaliseApplication(response);
  }

  private async send(method: 'GET' | 'POST', path: string, body: string | undefined, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new ArgoCdAbortedError(`${method} ${path} not sent: aborted`);
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.options.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await this.transport({
        method,
        url: `${this.baseUrl}${path}`,
        headers,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new ArgoCdAbortedError(`${method} ${path} aborted`);
      const reason = timeout.aborted ? `timed out after ${this.requestTimeoutMs}ms` : describeCause(error);
      throw new ArgoCdNetworkError(`${method} ${path}: ${reason}`);
    }
    const parsed = parseJson(response.body);
    if (response.status >= 400) {
      const detail = isRecord(parsed) ? parsed : {};
      const message = typeof detail.message === 'string' ? detail.message : typeof detail.error === 'string' ? detail.error : response.body.slice(0, 300);
      throw new ArgoCdApiError(response.status, `${method} ${path} → ${response.status}: ${message}`, typeof detail.code === 'number' ? detail.code : undefined);
    }
    if (parsed === undefined) throw new ArgoCdApiError(response.status, `${method} ${path} → ${response.status}: response is not JSON`);
    return parsed;
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** history ids are int64; accept both JSON numbers and the protobuf-JSON string form. */
function normaliseApplication(body: unknown): ArgoCdApplication {
  if (!isRecord(body) || !isRecord(body.metadata) || typeof body.metadata.name !== 'string') {
    throw new ArgoCdApiError(200, 'response is not an ArgoCD Application');
  }
  const app = body as unknown as ArgoCdApplication;
  const history = app.status?.history;
  if (!history) return app;
  const normalised: ArgoCdRevisionHistory[] = history.map((entry) => ({ ...entry, id: Number(entry.id) }));
  return { ...app, status: { ...app.status, history: normalised } };
}
