/**
 * Spec helpers: a raw @grpc/grpc-js client for the collector services (bytes in, bytes out, trailers kept) and a raw
 * HTTP/2 caller for frames no well-behaved client sends (bad gzip, truncated messages).
 */
import { Client, credentials, Metadata, status as GrpcStatus, type ChannelOptions } from '@grpc/grpc-js';
import { connect, constants as http2 } from 'node:http2';
import type { Signal } from '../../otlp/signals';
import { decodeStatus, STATUS_DETAILS_TRAILER, type RpcStatus } from './rpc-status';

export interface RawExportResult {
  code: number;
  details: string;
  response?: Buffer;
  trailers: Metadata;
  /** The google.rpc.Status from grpc-status-details-bin, when sent. */
  statusDetails?: RpcStatus;
}

const identity = (bytes: Buffer): Buffer => bytes;

export class RawCollectorClient {
  private readonly client: Client;

  constructor(address: string, options: ChannelOptions = {}) {
    this.client = new Client(address, credentials.createInsecure(), options);
  }

  export(signal: Signal, body: Uint8Array): Promise<RawExportResult> {
    return new Promise((resolve) => {
      let response: Buffer | undefined;
      const call = this.client.makeUnaryRequest(signal.grpcMethod, identity, identity, Buffer.from(body), (error, value) => {
        if (!error) response = value;
      });
      call.on('status', (status) => {
        const details = status.metadata.get(STATUS_DETAILS_TRAILER)[0];
        resolve({
          code: status.code, details: status.details, response, trailers: status.metadata,
          statusDetails: Buffer.isBuffer(details) ? decodeStatus(details) : undefined,
        });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Sends one length-prefixed gRPC message over plain HTTP/2, with the frame header and body as given, and returns the
 * grpc-status the server answered (from trailers, or from headers for a trailers-only answer).
 */
export function rawHttp2Export(address: string, path: string, frame: { compressed: boolean; declaredLength: number; payload: Buffer }, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${address}`);
    session.on('error', reject);
    const prefix = Buffer.alloc(5);
    prefix.writeUInt8(frame.compressed ? 1 : 0, 0);
    prefix.writeUInt32BE(frame.declaredLength, 1);
    const stream = session.request({
      [http2.HTTP2_HEADER_METHOD]: 'POST', [http2.HTTP2_HEADER_PATH]: path, 'content-type': 'application/grpc', te: 'trailers', ...headers,
    });
    let code: number | undefined;
    const read = (fields: Record<string, unknown>) => {
      if (fields['grpc-status'] !== undefined) code = Number(fields['grpc-status']);
    };
    stream.on('response', read);
    stream.on('trailers', read);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      session.close();
      resolve(code ?? GrpcStatus.UNKNOWN);
    });
    stream.resume();
    stream.end(Buffer.concat([prefix, frame.payload]));
  });
}
