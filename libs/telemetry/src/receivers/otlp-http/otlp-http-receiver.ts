import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip, type Gunzip } from 'node:zlib';
import { Writer } from 'protobufjs/minimal';
import { SIGNALS, type OtlpEncoding, type Signal } from '../../otlp/signals';
import { classifyIngestError, emptyReceiverStats, ingestExport, type ReceiverOptions, type ReceiverStats } from '../shared/ingest';

/** port defaults to 4318 (OTLP/HTTP); retryAfterSeconds is the Retry-After of a 503 whose cause gave none. */
export interface OtlpHttpReceiverOptions extends ReceiverOptions {
  /** Largest request body as sent (compressed when gzip). Default 4 MiB. */
  maxBodyBytes?: number;
  /** Largest body after gunzip (a zip bomb stops here). Default 4 × maxBodyBytes. */
  maxDecompressedBytes?: number;
}

export interface OtlpHttpReceiverStats extends ReceiverStats {
  /** Responses by status code. */
  statuses: Record<number, number>;
}

const CONTENT_TYPES: Record<string, OtlpEncoding> = { 'application/x-protobuf': 'protobuf', 'application/json': 'json' };
// google.rpc.Status codes carried in error bodies, per https://opentelemetry.io/docs/specs/otlp/#failures-1
const RPC_CODE: Record<number, number> = { 400: 3, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly retryAfterSeconds?: number, readonly unexpected = false) {
    super(message);
  }
}

/**
 * OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp) on plain node:http: POST /v1/traces,
 * /v1/logs, /v1/metrics in binary protobuf or JSON, optionally gzip-compressed. Bodies are decoded only through the
 * generated opentelemetry-proto message types. The 200 (with partial_success for rejected items) is sent only after
 * the bus accepted the batch.
 */
export class OtlpHttpReceiver {
  private server: Server | null = null;
  private readonly routes = new Map<string, Signal>(SIGNALS.map((signal) => [signal.path, signal]));
  private readonly maxBody: number;
  private readonly maxDecompressed: number;
  readonly stats: OtlpHttpReceiverStats = { ...emptyReceiverStats(), statuses: {} };

  constructor(private readonly options: OtlpHttpReceiverOptions) {
    this.maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.maxDecompressed = options.maxDecompressedBytes ?? 4 * this.maxBody;
  }

  /** The bound port (after start()). */
  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('OtlpHttpReceiver is not started');
    return address.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.onError?.(error);
        if (!res.headersSent) this.sendError(res, 'json', new HttpError(500, 'internal error'));
        else res.destroy();
      });
    });
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 4318, this.options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Stops accepting connections and waits for in-flight requests (which finish their bus hand-off). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 5_000);
    await closed;
    clearTimeout(force);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const path = (req.url ?? '/').split('?')[0];
    const signal = this.routes.get(path);
    const encoding = encodingOf(req.headers['content-type']);
    const replyAs: OtlpEncoding = encoding ?? 'json';
    try {
      if (!signal) throw new HttpError(404, `no OTLP endpoint at ${path}`);
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new HttpError(405, `${req.method ?? ''} not allowed, use POST`);
      }
      if (!encoding) throw new HttpError(415, `unsupported content type ${req.headers['content-type'] ?? '(none)'}: use application/x-protobuf or application/json`);
      const body = await this.readBody(req);
      const converted = await ingestExport(this.options.bus, signal, body, encoding, this.stats);
      this.send(res, 200, encoding, signal.response(converted, encoding));
    } catch (error) {
      const httpError = this.toHttpError(error);
      if (httpError.unexpected) this.options.onError?.(error);
      if (httpError.status === 413 || !req.complete) this.discardRest(req, res);
      this.sendError(res, replyAs, httpError);
    }
  }

  private toHttpError(error: unknown): HttpError {
    if (error instanceof HttpError) return error;
    const failure = classifyIngestError(error, this.options.retryAfterSeconds ?? 1);
    if (failure.kind === 'invalid') return new HttpError(400, failure.message);
    return new HttpError(failure.kind === 'full' ? 429 : 503, failure.message, failure.retryAfterSeconds, !failure.expected);
  }

  /**
   * Reads the body, counting bytes as they arrive (and again after gunzip): past the limit it stops with 413 without
   * buffering the rest.
   */
  private readBody(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBody) {
      return Promise.reject(new HttpError(413, `body of ${declared} bytes exceeds the limit of ${this.maxBody}`));
    }
    const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      return Promise.reject(new HttpError(415, `unsupported content encoding ${contentEncoding}: use gzip or none`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let raw = 0;
      let size = 0;
      let done = false;
      let gunzip: Gunzip | null = null;
      const fail = (error: HttpError) => {
        if (done) return;
        done = true;
        if (gunzip) {
          req.unpipe(gunzip);
          gunzip.destroy();
        }
        reject(error);
      };
      const collect = (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > this.maxDecompressed) return fail(new HttpError(413, `decompressed body exceeds the limit of ${this.maxDecompressed} bytes`));
        chunks.push(chunk);
      };
      const finish = () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(chunks, size));
      };
      req.on('data', (chunk: Buffer) => {
        raw += chunk.length;
        if (raw > this.maxBody) fail(new HttpError(413, `body exceeds the limit of ${this.maxBody} bytes`));
      });
      req.on('aborted', () => fail(new HttpError(400, 'request aborted')));
      req.on('error', () => fail(new HttpError(400, 'request stream failed')));
      if (contentEncoding === 'gzip') {
        gunzip = createGunzip();
        gunzip.on('data', collect);
        gunzip.on('end', finish);
        gunzip.on('error', (error) => fail(new HttpError(400, `invalid gzip body: ${error.message}`)));
        req.pipe(gunzip);
      } else {
        req.on('data', collect);
        req.on('end', () => {
          if (!req.complete) fail(new HttpError(400, 'truncated body'));
          else finish();
        });
      }
    });
  }

  /** After an early answer: drain (not buffer) what the client still sends, then close the connection. */
  private discardRest(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Connection', 'close');
    req.resume();
    const timer = setTimeout(() => req.socket.destroy(), 2_000);
    timer.unref();
    req.once('end', () => clearTimeout(timer));
  }

  private send(res: ServerResponse, status: number, encoding: OtlpEncoding, body: Buffer, headers: Record<string, string> = {}): void {
    this.stats.statuses[status] = (this.stats.statuses[status] ?? 0) + 1;
    res.writeHead(status, {
      'Content-Type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
      'Content-Length': String(body.length),
      ...headers,
    });
    res.end(body);
  }

  private sendError(res: ServerResponse, encoding: OtlpEncoding, error: HttpError): void {
    if (res.headersSent) return;
    const headers: Record<string, string> = {};
    if (error.status === 429 || error.status === 503) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1)));
    this.send(res, error.status, encoding, encodeStatus(RPC_CODE[error.status] ?? 2, error.message, encoding), headers);
  }
}

function encodingOf(header: string | undefined): OtlpEncoding | undefined {
  if (!header) return undefined;
  return CONTENT_TYPES[header.split(';')[0].trim().toLowerCase()];
}

/** google.rpc.Status { int32 code = 1; string message = 2; }, the OTLP error body, via protobufjs's writer. */
function encodeStatus(code: number, message: string, encoding: OtlpEncoding): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(Writer.create().uint32((1 << 3) | 0).int32(code).uint32((2 << 3) | 2).string(message).finish());
}
