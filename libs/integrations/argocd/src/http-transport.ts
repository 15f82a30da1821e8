import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one request; rejects only when no HTTP response arrived (network error, abort). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Node's global fetch (undici). The default. */
export const fetchTransport: HttpTransport = async (request) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
  });
  return { status: response.status, body: await response.text() };
};

export interface NodeHttpTransportOptions {
  /** false accepts any server certificate (ArgoCD's self-signed default); never the default. */
  readonly rejectUnauthorized?: boolean;
  /** PEM bundle to trust in addition to Node's roots. */
  readonly ca?: string;
}

/**
 * node:http(s) transport, for what the global fetch cannot do without undici's dispatcher (not a dependency here):
 * skipping TLS verification or trusting a private CA.
 */
export function nodeHttpTransport(options: NodeHttpTransportOptions = {}): HttpTransport {
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const requestOptions: https.RequestOptions = {
        method: request.method,
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': Buffer.byteLength(request.body).toString() },
        signal: request.signal,
      };
      if (url.protocol === 'https:') {
        if (options.rejectUnauthorized !== undefined) requestOptions.rejectUnauthorized = options.rejectUnauthorized;
        if (options.ca !== undefined) requestOptions.ca = options.ca;
      }
      const onResponse = (response: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      };
      const outgoing = url.protocol === 'https:' ? https.request(url, requestOptions, onResponse) : http.request(url, requestOptions, onResponse);
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
}
