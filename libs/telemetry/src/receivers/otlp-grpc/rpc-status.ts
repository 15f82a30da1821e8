import { Root, common, type AnyNestedObject, type Type } from 'protobufjs';

/**
 * google.rpc.Status (google/rpc/status.proto) and google.rpc.RetryInfo (google/rpc/error_details.proto) as protobufjs
 * reflection types: no npm package here ships those .proto files, so their two messages are declared from the
 * published definitions; Any and Duration come from the well-known types protobufjs bundles.
 */
const root = Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            ...wellKnown('google/protobuf/any.proto'),
            ...wellKnown('google/protobuf/duration.proto'),
          },
        },
        rpc: {
          nested: {
            Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 } } },
            RetryInfo: { fields: { retryDelay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});

function wellKnown(file: string): Record<string, AnyNestedObject> {
  const descriptor = common.get(file) as { nested: { google: { nested: { protobuf: { nested: Record<string, AnyNestedObject> } } } } } | null;
  if (!descriptor) throw new Error(`protobufjs does not bundle ${file}`);
  return descriptor.nested.google.nested.protobuf.nested;
}

const StatusType: Type = root.lookupType('google.rpc.Status');
const RetryInfoType: Type = root.lookupType('google.rpc.RetryInfo');
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
/** The trailer that carries a serialized google.rpc.Status with details. */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

export interface RpcStatus {
  code: number;
  message: string;
  /** From a RetryInfo detail, when there is one. */
  retryDelaySeconds?: number;
}

/** A google.rpc.Status whose details hold one RetryInfo, as OTLP asks for throttling. */
export function encodeStatusWithRetryInfo(code: number, message: string, retryDelaySeconds: number): Buffer {
  const whole = Math.floor(retryDelaySeconds);
  const retryInfo = RetryInfoType.encode(RetryInfoType.fromObject({ retryDelay: { seconds: whole, nanos: Math.round((retryDelaySeconds - whole) * 1e9) } })).finish();
  const status = StatusType.fromObject({ code, message, details: [{ type_url: RETRY_INFO_TYPE_URL, value: retryInfo }] });
  return Buffer.from(StatusType.encode(status).finish());
}

export function decodeStatus(bytes: Uint8Array): RpcStatus {
  const status = StatusType.toObject(StatusType.decode(bytes), { longs: Number, defaults: true }) as {
    code: number; message: string; details: Array<{ type_url: string; value: Uint8Array }>;
  };
  const result: RpcStatus = { code: status.code, message: status.message };
  const retry = status.details.find((detail) => detail.type_url === RETRY_INFO_TYPE_URL);
  if (retry) {
    const info = RetryInfoType.toObject(RetryInfoType.decode(retry.value), { longs: Number, defaults: true }) as { retryDelay?: { seconds: number; nanos: number } };
    result.retryDelaySeconds = (info.retryDelay?.seconds ?? 0) + (info.retryDelay?.nanos ?? 0) / 1e9;
  }
  return result;
}
