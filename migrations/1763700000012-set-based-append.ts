import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * vigil_append with one set-based INSERT for the whole batch (the chain is computed into arrays first):
 * fewer executor round trips per event when an append carries several events. Same contract as before.
 */
export class SetBasedAppend1763700000012 implements MigrationInterface {
  name = 'SetBasedAppend1763700000012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION vigil_append(
        p_stream text, p_expected_kind text, p_expected bigint,
        p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[], p_digests text[]
      ) RETURNS TABLE (out_version bigint, out_transaction_id text, out_global_position bigint, out_hash text)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_last bigint;
        v_prev text;
        v_count int := coalesce(array_length(p_ids, 1), 0);
        v_versions bigint[] := '{}';
        v_prevs text[] := '{}';
        v_hashes text[] := '{}';
      BEGIN
        SELECT e.stream_version, e.hash INTO v_last, v_prev
          FROM events e WHERE e.stream_id = p_stream ORDER BY e.stream_version DESC LIMIT 1;
        IF NOT FOUND THEN
          v_last := -1;
          v_prev := repeat('0', 64);
        END IF;
        IF (p_expected_kind = 'exact' AND v_last <> p_expected) OR (p_expected_kind = 'exists' AND v_last = -1) THEN
          RAISE EXCEPTION 'VIGIL.WRONG_EXPECTED_VERSION' USING ERRCODE = 'VG409', DETAIL = v_last::text;
        END IF;
        FOR i IN 1 .. v_count LOOP
          v_versions[i] := v_last + i;
          v_prevs[i] := v_prev;
          v_prev := encode(sha256(convert_to(v_prev || ':' || (v_last + i)::text || ':' || p_digests[i], 'UTF8')), 'hex');
          v_hashes[i] := v_prev;
        END LOOP;
        RETURN QUERY
          INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash)
          SELECT p_stream, u.version, u.id, u.type, u.data, u.metadata, u.recorded_at, u.prev, u.hash
            FROM unnest(v_versions, p_ids, p_types, p_data, p_metadata, p_recorded_at, v_prevs, v_hashes)
                 AS u(version, id, type, data, metadata, recorded_at, prev, hash)
          RETURNING events.stream_version, events.transaction_id::text, events.global_position, events.hash;
      END $$`);
  }

  async down(): Promise<void> {
    // The previous definition lives in 1763700000000-event-store; re-running it is the way back.
  }
}
