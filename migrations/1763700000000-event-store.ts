import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only event log. Runs as the owner role; the application runs as `vigil_app`, which may only
 * INSERT and SELECT here. Hash formula: see libs/event-store/src/hashing/event-hash.ts (chainHash).
 */
export class EventStore1763700000000 implements MigrationInterface {
  name = 'EventStore1763700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$ BEGIN
        CREATE ROLE vigil_app NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    // Lets a non-superuser owner connect and SET ROLE vigil_app; a no-op for superusers.
    await db.query(`DO $$ BEGIN EXECUTE format('GRANT vigil_app TO %I', current_user); EXCEPTION WHEN others THEN NULL; END $$`);

    await db.query(`
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id text NOT NULL,
        stream_version bigint NOT NULL CHECK (stream_version >= 0),
        event_id uuid NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version),
        CONSTRAINT events_event_id_unique UNIQUE (event_id)
      )`);
    await db.query(`CREATE INDEX events_global_order ON events (transaction_id, global_position)`);
    await db.query(`CREATE INDEX events_recorded_at ON events (recorded_at)`);
    await db.query(`CREATE INDEX events_type ON events (type)`);

    await db.query(`
      CREATE FUNCTION vigil_refuse_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'VIGIL.APPEND_ONLY: % on % is refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['events']) {
      await db.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION vigil_refuse_mutation()`);
      await db.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_mutation()`);
    }

    // One round trip per append: read the stream head, check the expected version, extend the hash chain.
    // p_expected_kind: 'exact' (p_expected = version of the last event, -1 = no stream), 'any', 'exists'.
    await db.query(`
      CREATE FUNCTION vigil_append(
        p_stream text, p_expected_kind text, p_expected bigint,
        p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[], p_digests text[]
      ) RETURNS TABLE (out_version bigint, out_transaction_id text, out_global_position bigint, out_hash text)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_last bigint;
        v_prev text;
        v_hash text;
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
        FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
          v_last := v_last + 1;
          v_hash := encode(sha256(convert_to(v_prev || ':' || v_last::text || ':' || p_digests[i], 'UTF8')), 'hex');
          INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at, prev_hash, hash)
            VALUES (p_stream, v_last, p_ids[i], p_types[i], p_data[i], p_metadata[i], p_recorded_at[i], v_prev, v_hash)
            RETURNING global_position, transaction_id::text INTO out_global_position, out_transaction_id;
          out_version := v_last;
          out_hash := v_hash;
          v_prev := v_hash;
          RETURN NEXT;
        END LOOP;
      END $$`);

    // Sealed checkpoints over the fenced global order; append-only as well.
    await db.query(`
      CREATE TABLE audit_checkpoints (
        seq bigint PRIMARY KEY CHECK (seq >= 1),
        from_commit numeric(20) NOT NULL,
        from_prepare bigint NOT NULL,
        to_commit numeric(20) NOT NULL,
        to_prepare bigint NOT NULL,
        event_count integer NOT NULL,
        merkle_root text NOT NULL,
        prev_checkpoint_hash text NOT NULL,
        sealed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        hash text NOT NULL,
        signature text NOT NULL
      )`);
    await db.query(`CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION vigil_refuse_mutation()`);
    await db.query(`CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_mutation()`);

    await db.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        commit_position numeric(20) NOT NULL,
        prepare_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`REVOKE ALL ON events, audit_checkpoints FROM PUBLIC`);
    await db.query(`GRANT SELECT, INSERT ON events, audit_checkpoints TO vigil_app`);
    await db.query(`GRANT USAGE ON SEQUENCE events_global_position_seq TO vigil_app`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints TO vigil_app`);
    await db.query(`GRANT EXECUTE ON FUNCTION vigil_append(text, text, bigint, uuid[], text[], jsonb[], jsonb[], timestamptz[], text[]) TO vigil_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projection_checkpoints`);
    await db.query(`DROP TABLE audit_checkpoints`);
    await db.query(`DROP FUNCTION vigil_append(text, text, bigint, uuid[], text[], jsonb[], jsonb[], timestamptz[], text[])`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP FUNCTION vigil_refuse_mutation()`);
  }
}
