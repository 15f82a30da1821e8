import { Agent, request } from 'node:http';
import type { ChangeEventBody } from './faults';
import type { OtlpBodies } from './otlp';

export type OtlpSignalPath = 'traces' | 'logs' | 'metrics';

export interface OtlpSenderOptions {
  /** The OTLP/HTTP receiver, e.g. http://localhost:4318. */
  readonly baseUrl: string;
  /** Keep-alive connections (and requests in flight) at most. Default 8. */
  readonly connections?: number;
  /** Attempts per request, counting 429/503 (after Retry-After) and connection errors. Default 20. */
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
}

export interface SenderStats {
  requests: number;
  retries: number;
  bytes: number;
}

export class OtlpSendError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'OtlpSendError';
  }
}

/**
 * Posts OTLP protobuf bodies over a pool of keep-alive connections, as an SDK exporter would: 429 and 503 are retried
 * after their Retry-After (the receiver's backpressure), connection errors with backoff; other statuses fail.
 */
export class OtlpHttpSender {
  readonly stats: SenderStats = { requests: 0, retries: 0, bytes: 0 };
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  readonly connections: number;

  constructor(options: OtlpSenderOptions) {
    this.url = new URL(options.baseUrl);
    this.connections = options.connections ?? 8;
    this.agent = new Agent({ keepAlive: true, maxSockets: this.connections, maxFreeSockets: this.connections });
    this.maxAttempts = options.maxAttempts ?? 20;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Resolves once the receiver acknowledged the body with 200; no retry starts after `giveUpAt` (epoch ms). */
  async send(signal: OtlpSignalPath, body: Buffer, giveUpAt = Infinity): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.post(`/v1/${signal}`, body).catch((error: Error) => ({ status: 0, retryAfterMs: 200 * attempt, text: error.message }));
      if (outcome.status === 200) {
        this.stats.requests++;
        this.stats.bytes += body.length;
        return;
      }
      const retryable = outcome.status === 0 || outcome.status === 429 || outcome.status === 503;
      if (!retryable || attempt >= this.maxAttempts || Date.now() + outcome.retryAfterMs > giveUpAt) {
        throw new OtlpSendError(outcome.status, `POST /v1/${signal}: ${outcome.status || 'connection failed'} ${outcome.text.slice(0, 300)}`);
      }
      this.stats.retries++;
      await sleep(outcome.retryAfterMs);
    }
  }

  /** Sends every body (traces, then logs, then metrics), `connections` at a time. */
  async sendAll(bodies: Pick<OtlpBodies, 'traces' | 'logs' | 'metrics'>): Promise<void> {
    const jobs: Array<[OtlpSignalPath, Buffer]> = [
      ...bodies.traces.map((body): [OtlpSignalPath, Buffer] => ['traces', body]),
      ...bodies.logs.map((body): [OtlpSignalPath, Buffer] => ['logs', body]),
      ...bodies.metrics.map((body): [OtlpSignalPath, Buffer] => ['metrics', body]),
    ];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const [signal, body] = jobs[next++];
        await this.send(signal, body);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.connections, jobs.length) }, worker));
  }

  close(): void {
    this.agent.destroy();
  }

  private post(path: string, body: Buffer): Promise<{ status: number; retryAfterMs: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({
        agent: this.agent, protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, path, method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length }, timeout: this.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const retryAfter = Number(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 500, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

export interface ChangeWebhookOptions {
  /** e.g. http://localhost:3000/webhooks/changes */
  readonly url: string;
  /** Bearer token (CHANGES_WEBHOOK_TOKEN). */
  readonly token?: string;
  readonly attempts?: number;
}

/** POSTs a change event, retrying connection errors and 5xx (the endpoint may still be starting). */
export async function postChangeEvent(event: ChangeEventBody, options: ChangeWebhookOptions): Promise<{ status: number; body: string }> {
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: JSON.stringify(event),
      });
      const body = await response.text();
      if (response.status < 500 || attempt >= attempts) return { status: response.status, body };
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
    await sleep(500 * attempt);
  }
}

/** Polls `url` until it answers 2xx (e.g. /readyz), or throws after `timeoutMs`. */
export async function waitForReady(url: string, timeoutMs: number, onWait?: (status: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      last = `${response.status} ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    onWait?.(last);
    await sleep(1_000);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
