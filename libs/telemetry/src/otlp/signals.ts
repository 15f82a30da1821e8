import { OTEL_LOGS_V1, OTEL_METRICS_V1, OTEL_SPANS_V1, type TelemetryTopic } from '@vigil/contracts';
import { convertLogs, convertMetrics, convertTraces, type Converted } from './convert';
import { otlpJsonIdsToBytes } from './json';
import {
  ExportLogsServiceRequest, ExportLogsServiceResponse, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
  ExportTraceServiceRequest, ExportTraceServiceResponse, type ExportResponse, type MessageType, type PartialSuccess,
} from './proto';

export type SignalName = 'traces' | 'logs' | 'metrics';
export type OtlpEncoding = 'protobuf' | 'json';

export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

export interface Signal {
  name: SignalName;
  /** HTTP path, e.g. /v1/traces */
  path: string;
  /** gRPC full method path */
  grpcMethod: string;
  topic: TelemetryTopic;
  /** Decodes through the generated message types; throws OtlpDecodeError for undecodable data. */
  decode(body: Buffer, encoding: OtlpEncoding): Converted<unknown>;
  /** Decodes an already decoded gRPC message (same conversion). */
  convert(message: unknown): Converted<unknown>;
  /** Encodes an ExportXServiceResponse (with partial_success when something was rejected). */
  response(converted: Pick<Converted<unknown>, 'rejected' | 'errors'>, encoding: OtlpEncoding): Buffer;
  responseObject(converted: Pick<Converted<unknown>, 'rejected' | 'errors'>): ExportResponse;
  requestType: MessageType<unknown>;
  responseType: MessageType<ExportResponse>;
}

function decodeWith<T>(type: MessageType<T>, body: Buffer, encoding: OtlpEncoding): T {
  if (encoding === 'protobuf') {
    try {
      return type.decode(body);
    } catch (error) {
      throw new OtlpDecodeError(`undecodable protobuf: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OtlpDecodeError('JSON body must be an object');
  try {
    return type.fromObject(otlpJsonIdsToBytes(parsed) as Record<string, unknown>);
  } catch (error) {
    throw new OtlpDecodeError(`JSON does not match the OTLP schema: ${(error as Error).message}`);
  }
}

function makeSignal<TRequest>(options: {
  name: SignalName; path: string; grpcMethod: string; topic: TelemetryTopic; rejectedField: keyof PartialSuccess;
  requestType: MessageType<TRequest>; responseType: MessageType<ExportResponse>; convert: (request: TRequest) => Converted<unknown>;
}): Signal {
  const responseObject = ({ rejected, errors }: Pick<Converted<unknown>, 'rejected' | 'errors'>): ExportResponse =>
    rejected > 0 ? { partialSuccess: { [options.rejectedField]: rejected, errorMessage: errors.join('; ') } } : {};
  return {
    name: options.name,
    path: options.path,
    grpcMethod: options.grpcMethod,
    topic: options.topic,
    requestType: options.requestType as MessageType<unknown>,
    responseType: options.responseType,
    decode: (body, encoding) => {
      const request = decodeWith(options.requestType, body, encoding);
      try {
        return options.convert(request);
      } catch (error) {
        throw new OtlpDecodeError(`malformed ${options.name} request: ${(error as Error).message}`);
      }
    },
    convert: (message) => options.convert(message as TRequest),
    responseObject,
    response: (converted, encoding) => {
      const message = options.responseType.fromObject(responseObject(converted) as Record<string, unknown>);
      if (encoding === 'protobuf') return Buffer.from(options.responseType.encode(message).finish());
      return Buffer.from(JSON.stringify(options.responseType.toObject(message, { longs: String })));
    },
  };
}

export const TRACES: Signal = makeSignal({
  name: 'traces', path: '/v1/traces', grpcMethod: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', topic: OTEL_SPANS_V1,
  rejectedField: 'rejectedSpans', requestType: ExportTraceServiceRequest, responseType: ExportTraceServiceResponse, convert: convertTraces,
});
export const LOGS: Signal = makeSignal({
  name: 'logs', path: '/v1/logs', grpcMethod: '/opentelemetry.proto.collector.logs.v1.LogsService/Export', topic: OTEL_LOGS_V1,
  rejectedField: 'rejectedLogRecords', requestType: ExportLogsServiceRequest, responseType: ExportLogsServiceResponse, convert: convertLogs,
});
export const METRICS: Signal = makeSignal({
  name: 'metrics', path: '/v1/metrics', grpcMethod: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', topic: OTEL_METRICS_V1,
  rejectedField: 'rejectedDataPoints', requestType: ExportMetricsServiceRequest, responseType: ExportMetricsServiceResponse, convert: convertMetrics,
});
export const SIGNALS: readonly Signal[] = [TRACES, LOGS, METRICS];
