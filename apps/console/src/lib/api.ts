/** The control plane's HTTP API from the browser: bearer token, JSON, coded errors `{code, message, correlationId}`. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly correlationId?: string,
    /** The body, for endpoints that answer a useful document with an error status (audit verify: 409). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** Same origin: the control plane serves the console at `/` and the API under `/api`. */
const API_BASE = new URL('/', window.location.href).href.replace(/\/$/, '');

export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthenticated: () => void = () => undefined,
  ) {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, {}, signal);
  }

  post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>('POST', path, body, headers);
  }

  /** Raw response with auth (downloads, streams). */
  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${API_BASE}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.token}` } });
    if (response.status === 401) this.onUnauthenticated();
    return response;
  }

  private async request<T>(method: string, path: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await this.raw(path, {
        method,
        signal,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK', `The control plane could not be reached: ${(error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const err = (parsed ?? {}) as { code?: string; message?: string; correlationId?: string };
      throw new ApiError(response.status, err.code ?? `HTTP.${response.status}`, err.message ?? (response.statusText || `HTTP ${response.status}`), err.correlationId, parsed);
    }
    return parsed as T;
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;
