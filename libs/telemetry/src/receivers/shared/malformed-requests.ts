/** Spec helpers: the same bad bodies are sent to every receiver, whatever its transport. */
import { gzipSync } from 'node:zlib';
import { ExportLogsServiceRequest, ExportTraceServiceRequest } from '../../otlp/proto';
import { hex, jsonTraces, protoTraces } from '../../../test/otlp-fixtures';

/** A valid binary ExportTraceServiceRequest with one span per id pair (fresh random ids by default). */
export function traceRequest(spans: Array<{ traceId: string; spanId: string }> = [{ traceId: hex(16), spanId: hex(8) }]): Buffer {
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(protoTraces(spans))).finish());
}

/** A length-delimited field whose length runs past the end. */
export const undecodableProtobuf = (): Buffer => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);

/** A valid OTLP/JSON trace request: what a client sends when it declares protobuf but encodes JSON. */
export const otlpJsonBytes = (): Buffer => Buffer.from(JSON.stringify(jsonTraces([{ traceId: hex(16), spanId: hex(8) }])));

/** A valid protobuf request with its last bytes cut off. */
export function truncatedProtobuf(): Buffer {
  const whole = traceRequest();
  return whole.subarray(0, whole.length - 7);
}

/**
 * A valid ExportLogsServiceRequest: the wrong message type for the trace endpoint. Fixed content: whether protobuf
 * bytes of another type happen to parse depends on them (these do not: the log's fixed64 time is read where a span
 * has a length-delimited trace id); bytes that do parse are caught later as invalid ids (partial success).
 */
export function wrongMessageType(): Buffer {
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [{
    timeUnixNano: '1700000000000000000', severityNumber: 9, body: { stringValue: 'hello' }, traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 3),
  }] }] }] })).finish());
}

/** A valid trace request larger than `bytes`. */
export function oversizedTraceRequest(bytes: number): Buffer {
  const spans = Math.ceil(bytes / 150) + 1; // each fixture span encodes to more than 150 bytes
  return traceRequest(Array.from({ length: spans }, () => ({ traceId: hex(16), spanId: hex(8) })));
}

/** 10 MiB of zeros, about 10 KiB gzipped. */
export const gzipBomb = (): Buffer => gzipSync(Buffer.alloc(10 * 1024 * 1024));
