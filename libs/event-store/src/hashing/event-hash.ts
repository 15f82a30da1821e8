import { createHash } from 'node:crypto';
import { canonicalJson } from '@vigil/domain/shared';

/** prev_hash of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}

export interface HashableEvent {
  readonly streamId: string;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/** sha256 of the canonical event body (metadata includes recordedAt, so the time is covered too). */
export function eventDigest(event: HashableEvent): string {
  return sha256Hex(
    canonicalJson({ streamId: event.streamId, eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata }),
  );
}

/**
 * hash = sha256(prevHashOfStream ‖ ":" ‖ streamVersion ‖ ":" ‖ digest(canonical(event))).
 * The same formula runs inside the append function in PostgreSQL (migrations/…-event-store.ts); keep them in step.
 */
export function chainHash(prevHash: string, streamVersion: number, digest: string): string {
  return sha256Hex(`${prevHash}:${streamVersion}:${digest}`);
}

export interface SerialisedEvent {
  /** canonical JSON of data and metadata: valid JSON, so it is also what the jsonb columns receive. */
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly digest: string;
}

/**
 * eventDigest and the jsonb parameters from one serialisation pass (the append hot path). The outer object is
 * assembled in canonical key order (data, eventId, metadata, streamId, type), so the digest equals eventDigest's.
 */
export function serialiseEvent(event: HashableEvent): SerialisedEvent {
  const dataJson = canonicalJson(event.data ?? null);
  const metadataJson = canonicalJson(event.metadata);
  const canonical = `{"data":${dataJson},"eventId":${JSON.stringify(event.eventId)},"metadata":${metadataJson},"streamId":${JSON.stringify(event.streamId)},"type":${JSON.stringify(event.type)}}`;
  return { dataJson, metadataJson, digest: sha256Hex(canonical) };
}
