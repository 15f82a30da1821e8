/**
 * Load clients and ClickHouse checks shared by the telemetry reliability specs. A client sends OTLP trace batches
 * with fresh ids one after another and retries a refused batch (same ids) after the server's Retry-After / RetryInfo,
 * as an OpenTelemetry exporter would; what it records as acknowledged is exactly what got a success answer.
 */
import { randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseMigrator, TRACES } from '@vigil/telemetry';
import { ExportTraceServiceResponse } from '../../libs/telemetry/src/otlp/proto';
import type { RawCollectorClient } from '../../libs/telemetry/src/receivers/otlp-grpc/grpc-test-client';
import { traceRequest } from '../../libs/telemetry/src/receivers/shared/malformed-requests';

export interface SpanRef {
  traceId: string;
  spanId: string;
}

/** A success, or a refusal to retry after the given delay; `status` labels the answer for the report. */
export type SendOutcome = { ok: true; status: string } | { ok: false; status: string; retryAfterSeconds: number };
export type SendSpans = (spans: SpanRef[]) => Promise<SendOutcome>;

export interface LoadReport {
  /** traceId:spanId of every span in a batch answered with success → when (ms since epoch). */
  acknowledged: Map<string, number>;
  /** Answers by status label ('200', '429', 'UNAVAILABLE', 'network', …). */
  statuses: Record<string, number>;
}

export const spanKey = (span: { traceId: string; spanId: string }) => `${span.traceId}:${span.spanId}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `clients` concurrent senders until `stop()` is true, then lets each finish (retry until acknowledged) the
 * batch it holds. Fails if a batch is still unacknowledged at `deadline`.
 */
export async function runLoad(options: { clients: number; spansPerBatch: number; send: SendSpans; stop: () => boolean; deadline: number; report?: LoadReport }): Promise<LoadReport> {
  const report = options.report ?? { acknowledged: new Map<string, number>(), statuses: {} };
  const client = async () => {
    while (!options.stop()) {
      const spans = Array.from({ length: options.spansPerBatch }, () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') }));
      for (;;) {
        if (Date.now() > options.deadline) throw new Error(`a batch was still refused at the deadline (${JSON.stringify(report.statuses)})`);
        const outcome = await options.send(spans);
        report.statuses[outcome.status] = (report.statuses[outcome.status] ?? 0) + 1;
        if (outcome.ok) {
          const now = Date.now();
          for (const span of spans) report.acknowledged.set(spanKey(span), now);
          break;
        }
        await sleep(outcome.retryAfterSeconds * 1_000);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return report;
}

function assertAllAccepted(response: Uint8Array): void {
  const partial = ExportTraceServiceResponse.decode(response).partialSuccess;
  if (partial && (partial.rejectedSpans ?? 0) !== 0) throw new Error(`spans rejected: ${JSON.stringify(partial)}`);
}

/** OTLP/HTTP protobuf: 200 acknowledges; 429/503 (and a dropped connection) are retried. */
export function httpSender(url: string): SendSpans {
  return async (spans) => {
    let response: Response;
    try {
      response = await fetch(`${url}/v1/traces`, { method: 'POST', body: traceRequest(spans), headers: { 'content-type': 'application/x-protobuf' } });
    } catch {
      return { ok: false, status: 'network', retryAfterSeconds: 1 };
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status === 200) {
      assertAllAccepted(body);
      return { ok: true, status: '200' };
    }
    if (response.status === 429 || response.status === 503) {
      return { ok: false, status: String(response.status), retryAfterSeconds: Number(response.headers.get('retry-after') ?? 1) };
    }
    throw new Error(`unexpected HTTP ${response.status}: ${body.toString()}`);
  };
}

/** OTLP/gRPC: OK acknowledges; UNAVAILABLE is retried after its RetryInfo delay. */
export function grpcSender(client: RawCollectorClient): SendSpans {
  return async (spans) => {
    const result = await client.export(TRACES, traceRequest(spans));
    if (result.code === GrpcStatus.OK) {
      assertAllAccepted(result.response!);
      return { ok: true, status: 'OK' };
    }
    if (result.code === GrpcStatus.UNAVAILABLE) return { ok: false, status: 'UNAVAILABLE', retryAfterSeconds: result.statusDetails?.retryDelaySeconds ?? 1 };
    throw new Error(`unexpected gRPC status ${result.code}: ${result.details}`);
  };
}

/** A fresh database with the telemetry schema. */
export async function migratedDatabase(client: ClickHouseClient, prefix: string): Promise<string> {
  const database = `${prefix}_${randomBytes(4).toString('hex')}`;
  await new ClickHouseMigrator(client, { database }).migrate();
  return database;
}

/** Distinct spans in otel_traces, waiting (up to `timeoutMs`) until there are at least `expected`. */
export async function storedSpans(client: ClickHouseClient, database: string, expected: number, timeoutMs: number): Promise<{ distinct: Set<string>; rows: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await (await client.query({ query: `SELECT TraceId AS traceId, SpanId AS spanId FROM \`${database}\`.otel_traces`, format: 'JSONEachRow' }))
      .json<SpanRef>();
    const distinct = new Set(rows.map(spanKey));
    if (distinct.size >= expected || Date.now() > deadline) return { distinct, rows: rows.length };
    await sleep(250);
  }
}
