-- The projection engine's bookkeeping (DESIGN §3). Each projection's tables are created by the
-- engine per generation (`<name>_g<generation>`) and reached through views named after the read
-- model; a rebuild fills a new generation beside the live one, then switches the views.

-- Which generation of each projection is live, and the shape (schema version) it was built with.
CREATE TABLE projection_registry (
  name              text PRIMARY KEY,
  active_generation integer NOT NULL,
  schema_version    integer NOT NULL,
  switched_at       timestamptz NOT NULL DEFAULT now()
);

-- Where each generation stands in the global order; updated in the transaction of the rows it
-- describes, so a crash never leaves rows without their checkpoint or the reverse.
CREATE TABLE projection_checkpoints (
  name           text NOT NULL,
  generation     integer NOT NULL,
  schema_version integer NOT NULL,
  transaction_id text NOT NULL,
  position       bigint NOT NULL,
  events_applied bigint NOT NULL DEFAULT 0,
  last_event_at  timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, generation)
);

-- Events a projection could not apply (bad data): recorded with their position, then skipped.
CREATE TABLE projection_errors (
  error_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL,
  generation      integer NOT NULL,
  global_position bigint NOT NULL,
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  message         text NOT NULL,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projection_errors_by_projection ON projection_errors (name, generation, error_id);
