-- A batch of new streams in one call (the intake's and the demo's openings): each stream's events
-- chained from the start as append_to_stream chains them, all of them in one INSERT. A stream that
-- exists already is left as it is and answered 'conflict'. One row per stream, by its place (item,
-- from 1) in the arrays; the events are flattened, `p_counts[i]` of them for the i-th stream.
CREATE FUNCTION append_new_streams(
  p_stream_ids text[], p_counts integer[], p_event_ids uuid[], p_types text[], p_schema_versions integer[],
  p_data json, p_metadata json, p_digests text[]
) RETURNS TABLE (
  item integer, outcome text, first_version integer, global_positions text, transaction_id text, recorded_at timestamptz, hashes text
) LANGUAGE plpgsql AS $$
DECLARE
  v_now      timestamptz := date_trunc('milliseconds', now());
  v_total    integer := cardinality(p_event_ids);
  v_fresh    boolean[] := array_fill(false, ARRAY[cardinality(p_stream_ids)]);
  v_items    integer[] := array_fill(0, ARRAY[v_total]);
  v_versions integer[] := array_fill(0, ARRAY[v_total]);
  v_hashes   bytea[] := array_fill(NULL::bytea, ARRAY[v_total]);
  v_offset   integer := 0;
  v_hash     bytea;
BEGIN
  FOR i IN 1 .. cardinality(p_stream_ids) LOOP
    v_fresh[i] := NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = p_stream_ids[i]);
    v_hash := '\x';
    FOR j IN 1 .. p_counts[i] LOOP
      v_items[v_offset + j] := i;
      v_versions[v_offset + j] := j;
      IF v_fresh[i] THEN
        v_hash := event_link(v_hash, j, v_now, decode(p_digests[v_offset + j], 'hex'));
        v_hashes[v_offset + j] := v_hash;
      END IF;
    END LOOP;
    v_offset := v_offset + p_counts[i];
  END LOOP;

  RETURN QUERY
    WITH inserted AS (
      INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash)
      SELECT p_stream_ids[v_items[d.i]], v_versions[d.i], p_event_ids[d.i], p_types[d.i], p_schema_versions[d.i],
             d.data, m.metadata, v_now, v_hashes[d.i]
        FROM json_array_elements(p_data) WITH ORDINALITY AS d(data, i)
        JOIN json_array_elements(p_metadata) WITH ORDINALITY AS m(metadata, i) ON m.i = d.i
       WHERE v_fresh[v_items[d.i]]
      RETURNING events.stream_id, events.stream_version, events.global_position, events.hash
    )
    SELECT s.i::integer,
           CASE WHEN v_fresh[s.i] THEN 'appended' ELSE 'conflict' END,
           1,
           string_agg(ins.global_position::text, ',' ORDER BY ins.stream_version),
           pg_current_xact_id()::text, v_now,
           string_agg(encode(ins.hash, 'hex'), ',' ORDER BY ins.stream_version)
      FROM generate_subscripts(p_stream_ids, 1) AS s(i)
      LEFT JOIN inserted ins ON ins.stream_id = p_stream_ids[s.i]
     GROUP BY s.i;
END
$$;
