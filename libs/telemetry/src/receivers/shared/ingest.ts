import { BusBackpressureError, type TelemetryBus } from '../../bus/telemetry-bus';
import { publishValues } from '../../bus/publish';
import type { Converted } from '../../otlp/convert';
import { OtlpDecodeError, type OtlpEncoding, type Signal, type SignalName } from '../../otlp/signals';

/** What every OTLP receiver is configured with. */
export interface ReceiverOptions {
  bus: TelemetryBus;
  /** 0 picks a free port; each receiver has its OTLP default. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** The retry delay advertised when a failure's cause gave none. Default 1 s. */
  retryAfterSeconds?: number;
  /** Called for unexpected errors (never for a client's bad request or for bus backpressure). */
  onError?: (error: unknown) => void;
}

export interface ReceiverStats {
  requests: number;
  accepted: Record<SignalName, number>;
  rejected: Record<SignalName, number>;
}

export function emptyReceiverStats(): ReceiverStats {
  return { requests: 0, accepted: { traces: 0, logs: 0, metrics: 0 }, rejected: { traces: 0, logs: 0, metrics: 0 } };
}

/**
 * The path every OTLP receiver shares: decode through the generated message types, convert, publish, count. Resolves
 * only once the bus holds the batch, so the caller may acknowledge its client then.
 */
export async function ingestExport(bus: TelemetryBus, signal: Signal, body: Buffer, encoding: OtlpEncoding, stats: ReceiverStats): Promise<Converted<unknown>> {
  const converted = signal.decode(body, encoding);
  await publishValues(bus, signal.topic, converted.messages);
  stats.accepted[signal.name] += converted.accepted;
  stats.rejected[signal.name] += converted.rejected;
  return converted;
}

/** Why an export failed, in the terms both transports answer with. */
export type IngestFailure =
  | { kind: 'invalid'; message: string }
  | { kind: 'full' | 'unavailable'; message: string; retryAfterSeconds: number; expected: boolean };

/**
 * Undecodable data is the client's fault; bus backpressure is expected load shedding; anything else is an unexpected
 * downstream failure, still answered as retryable (nothing was acknowledged) but worth reporting.
 */
export function classifyIngestError(error: unknown, defaultRetryAfterSeconds: number): IngestFailure {
  if (error instanceof OtlpDecodeError) return { kind: 'invalid', message: error.message };
  if (error instanceof BusBackpressureError) {
    return { kind: error.kind, message: error.message, retryAfterSeconds: error.retryAfterSeconds, expected: true };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unavailable', message: `downstream unavailable: ${detail}`, retryAfterSeconds: defaultRetryAfterSeconds, expected: false };
}
