-- Event store (DESIGN §4): one row per event. A stream's head is its row with the highest
-- version; the unique (stream_id, stream_version) index is what makes a losing concurrent writer
-- fail, so there is no separate table of heads to lock and rewrite on every append.

CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The writing transaction: readAll orders by (transaction_id, global_position) and reads only
  -- below the oldest running transaction, so a sequence value taken by a transaction that commits
  -- late can never be skipped by a reader that already moved past it.
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text NOT NULL,
  category        text NOT NULL GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED,
  stream_version  integer NOT NULL,
  event_id        uuid NOT NULL,
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  -- json, not jsonb: the exact text the writer sent is kept, so the hash covers those very bytes
  -- and verify needs no canonical form; reads hand out the stored text without conversion.
  data            json NOT NULL,
  metadata        json NOT NULL,
  -- Millisecond precision: exactly what the envelope shows and what the hash covers.
  recorded_at     timestamptz NOT NULL,
  hash            bytea NOT NULL,
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_version_positive CHECK (stream_version > 0)
);

CREATE INDEX events_global_order ON events (transaction_id, global_position);

-- The link of an event in its stream's chain (mirrored by linkHash in hash-chain.ts):
--   sha256(previous hash ‖ int4 version ‖ int8 epoch milliseconds of recorded_at ‖ digest)
-- where digest is the sha256 of the event's stored bytes, computed by the writer (eventDigest).
-- A plain SQL expression, so the planner inlines it into the statements that use it.
CREATE FUNCTION event_link(previous bytea, stream_version integer, recorded_at timestamptz, digest bytea)
RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sha256(previous || int4send(stream_version) || int8send((extract(epoch FROM recorded_at) * 1000)::bigint) || digest)
$$;

-- Appends a batch to one stream in a single round trip (single events take a leaner statement,
-- see sql-event-store.ts, with the same semantics).
--   p_expected: -1 = any, 0 = no stream yet, n > 0 = exactly n events already.
--   p_event_ids, p_types, p_schema_versions, p_digests (hex): one entry per event;
--   p_data, p_metadata: JSON arrays of the events' data and metadata, in the same order (each
--   element's text is stored as it is).
-- Returns one row: outcome 'appended' with the first version written and, comma-separated, the
-- global positions and hashes of the events; or 'conflict' with the actual version in
-- first_version (nothing written). A concurrent writer that wins the race after our head lookup
-- makes the insert fail on events_stream_version_key instead.
CREATE FUNCTION append_to_stream(
  p_stream_id text, p_expected integer, p_event_ids uuid[], p_types text[], p_schema_versions integer[],
  p_data json, p_metadata json, p_digests text[]
) RETURNS TABLE (
  outcome text, first_version integer, global_positions text, transaction_id text, recorded_at timestamptz, hashes text
) LANGUAGE plpgsql AS $$
DECLARE
  v_count   integer := cardinality(p_event_ids);
  v_now     timestamptz := date_trunc('milliseconds', now());
  v_current integer;
  v_hash    bytea;
  v_hashes  bytea[] := '{}';
BEGIN
  -- Writers that do not state a version queue up per stream instead of failing each other's
  -- inserts (the next statement takes a fresh snapshot, so it sees the previous holder's events).
  IF p_expected < 0 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id, 0));
  END IF;
  SELECT e.stream_version, e.hash INTO v_current, v_hash
    FROM events e WHERE e.stream_id = p_stream_id ORDER BY e.stream_version DESC LIMIT 1;
  IF NOT FOUND THEN
    v_current := 0;
    v_hash := '\x';
  END IF;

  IF p_expected >= 0 AND v_current <> p_expected THEN
    RETURN QUERY SELECT 'conflict'::text, v_current, NULL::text, NULL::text, NULL::timestamptz, NULL::text;
    RETURN;
  END IF;

  FOR i IN 1 .. v_count LOOP
    v_hash := event_link(v_hash, v_current + i, v_now, decode(p_digests[i], 'hex'));
    v_hashes := v_hashes || v_hash;
  END LOOP;

  RETURN QUERY
    WITH inserted AS (
      INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash)
      SELECT p_stream_id, v_current + d.i::integer, p_event_ids[d.i], p_types[d.i], p_schema_versions[d.i],
             d.data, m.metadata, v_now, v_hashes[d.i]
        FROM json_array_elements(p_data) WITH ORDINALITY AS d(data, i)
        JOIN json_array_elements(p_metadata) WITH ORDINALITY AS m(metadata, i) ON m.i = d.i
      RETURNING events.stream_version, events.global_position, events.hash
    )
    SELECT 'appended'::text, v_current + 1,
           string_agg(ins.global_position::text, ',' ORDER BY ins.stream_version),
           pg_current_xact_id()::text, v_now,
           string_agg(encode(ins.hash, 'hex'), ',' ORDER BY ins.stream_version)
      FROM inserted ins;
END
$$;
