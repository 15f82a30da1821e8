import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@vigil/event-store';
import { Projection } from '../projection-runner/projection';

export function entityTypeOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

/** Set-based insert of a whole batch (one statement), idempotent on the event's position. */
export const auditIndexProjection: Projection = {
  name: 'audit-index',
  tables: ['audit_index'],
  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_index (global_position, commit_position, event_id, stream_id, stream_version, entity_type, type, actor, correlation_id, recorded_at)
       SELECT * FROM unnest($1::bigint[], $2::numeric[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
       ON CONFLICT (global_position) DO NOTHING`,
      [
        events.map((e) => e.position.prepare.toString()),
        events.map((e) => e.position.commit.toString()),
        events.map((e) => e.eventId),
        events.map((e) => e.streamId),
        events.map((e) => e.streamVersion),
        events.map((e) => entityTypeOf(e.streamId)),
        events.map((e) => e.type),
        events.map((e) => e.metadata.actor),
        events.map((e) => e.metadata.correlationId ?? null),
        events.map((e) => e.recordedAt),
      ],
    );
  },
};
