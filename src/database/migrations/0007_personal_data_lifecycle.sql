-- The personal-data lifecycle (DESIGN §8, R. 263-8 CASF): the intermediate archive and the runs of
-- the retention job.

-- Set when the parcours moves to the intermediate archive: from then on only auditors and the
-- DPO see it (the visibility filter reads this column), and the retention job erases it two years
-- later. The retention clock itself is last_activity_on (0004).
ALTER TABLE parcours_details ADD COLUMN archived_on date;

-- What the retention job looks for every night: active parcours idle for two years, archived
-- ones whose identity is still held. Partial indexes keep both scans small as erased rows pile up.
CREATE INDEX parcours_details_retention_active ON parcours_details (last_activity_on) WHERE archived_on IS NULL;
CREATE INDEX parcours_details_retention_archived ON parcours_details (archived_on) WHERE archived_on IS NOT NULL AND identity_ciphertext IS NOT NULL;

-- One row per run of the retention job (not per dry run): when it ran, the date it applied the
-- policy as of, the durations in force, and how many parcours it archived and erased. No
-- parcours ids: the events and the erasure ledger say which.
CREATE TABLE retention_runs (
  run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  as_of           date NOT NULL,
  active_months   integer NOT NULL,
  archive_months  integer NOT NULL,
  archived        integer NOT NULL DEFAULT 0,
  erased          integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0
);
