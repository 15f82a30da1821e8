import {
  Metadata, Server, ServerCredentials, status as GrpcStatus,
  type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { SIGNALS, type Signal } from '../../otlp/signals';
import { classifyIngestError, emptyReceiverStats, ingestExport, type ReceiverOptions, type ReceiverStats } from '../shared/ingest';
import { encodeStatusWithRetryInfo, STATUS_DETAILS_TRAILER } from './rpc-status';

/** port defaults to 4317 (OTLP/gRPC); retryAfterSeconds is the RetryInfo delay when a failure's cause gave none. */
export interface OtlpGrpcReceiverOptions extends ReceiverOptions {
  /** Largest request message, after decompression: past it the call fails with RESOURCE_EXHAUSTED. Default 4 MiB. */
  maxMessageBytes?: number;
  /** How long stop() lets in-flight exports finish before cutting connections. Default 5 s. */
  drainTimeoutMs?: number;
}

export interface OtlpGrpcReceiverStats extends ReceiverStats {
  /** Answers by gRPC status code (0 = OK). */
  statuses: Record<number, number>;
}

const identity = (bytes: Buffer): Buffer => bytes;

/** The collector service of one signal; messages stay raw bytes so decoding goes through the shared OTLP path. */
function collectorService(signal: Signal): ServiceDefinition {
  return {
    Export: {
      path: signal.grpcMethod,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: 'export',
    },
  };
}

/**
 * OTLP/gRPC receiver (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc) on @grpc/grpc-js: the Export method of the
 * trace, logs and metrics collector services, gzip accepted (grpc-encoding). An export is answered OK (with
 * partial_success for rejected items) only after the bus holds the batch; INVALID_ARGUMENT for undecodable data;
 * RESOURCE_EXHAUSTED past maxMessageBytes (not retryable: no RetryInfo); UNAVAILABLE with a google.rpc.RetryInfo in
 * grpc-status-details-bin when the bus pushes back (retryable, per the spec's throttling section).
 */
export class OtlpGrpcReceiver {
  private server: Server | null = null;
  private boundPort = 0;
  readonly stats: OtlpGrpcReceiverStats = { ...emptyReceiverStats(), statuses: {} };

  constructor(private readonly options: OtlpGrpcReceiverOptions) {}

  /** The bound port (after start()). */
  get port(): number {
    if (!this.server) throw new Error('OtlpGrpcReceiver is not started');
    return this.boundPort;
  }

  /** host:port for a gRPC client. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new Server({ 'grpc.max_receive_message_length': this.options.maxMessageBytes ?? 4 * 1024 * 1024 });
    for (const signal of SIGNALS) {
      const implementation: UntypedServiceImplementation = { Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => this.export(signal, call, callback) };
      server.addService(collectorService(signal), implementation);
    }
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${this.options.host ?? '0.0.0.0'}:${this.options.port ?? 4317}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
    });
    this.server = server;
  }

  /** Refuses new calls, lets in-flight exports finish their bus hand-off (up to drainTimeoutMs), then closes. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.options.drainTimeoutMs ?? 5_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private export(signal: Signal, call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
    this.stats.requests++;
    ingestExport(this.options.bus, signal, call.request, 'protobuf', this.stats).then(
      (converted) => {
        this.count(GrpcStatus.OK);
        callback(null, signal.response(converted, 'protobuf'));
      },
      (error: unknown) => callback(this.failure(error)),
    );
  }

  private failure(error: unknown): ServerErrorResponse {
    const failure = classifyIngestError(error, this.options.retryAfterSeconds ?? 1);
    if (failure.kind === 'invalid') {
      this.count(GrpcStatus.INVALID_ARGUMENT);
      return Object.assign(new Error(failure.message), { code: GrpcStatus.INVALID_ARGUMENT, details: failure.message });
    }
    if (!failure.expected) this.options.onError?.(error);
    this.count(GrpcStatus.UNAVAILABLE);
    const metadata = new Metadata();
    metadata.set(STATUS_DETAILS_TRAILER, encodeStatusWithRetryInfo(GrpcStatus.UNAVAILABLE, failure.message, failure.retryAfterSeconds));
    return Object.assign(new Error(failure.message), { code: GrpcStatus.UNAVAILABLE, details: failure.message, metadata });
  }

  private count(code: number): void {
    this.stats.statuses[code] = (this.stats.statuses[code] ?? 0) + 1;
  }
}
