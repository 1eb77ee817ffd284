-- Blind indexes: a keyed HMAC (BLIND_INDEX_KEY, never the master key) of each normalised identifier
-- of a parcours' beneficiary — NIR, CAF/MSA allocataire number (with the household role), last name
-- + first names + birth date — so that a person can be found, and a second parcours refused,
-- without any identifier in clear. Written by the statement that appends the opening or the
-- identity change; deleted by the one that appends the erasure. Never in events or logs.
CREATE TABLE parcours_blind_index (
  parcours_id  uuid NOT NULL,
  -- Which key computed the digest (first 8 bytes of its sha256, hex): during a rotation rows exist
  -- under both keys, and `blind-index reindex` rewrites the old ones.
  key_version  text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('nir', 'allocataire', 'name_birth')),
  digest       bytea NOT NULL,
  -- The parcours is not exited: one person has at most one such parcours (CASF R. 263-5).
  open         boolean NOT NULL,
  PRIMARY KEY (parcours_id, key_version, kind)
);
-- The rule "one open parcours per person" as a constraint, not a read-then-write: two openings
-- racing for one person commit one parcours, the other fails on this index (409 parcours_exists).
CREATE UNIQUE INDEX parcours_blind_index_one_open ON parcours_blind_index (key_version, kind, digest) WHERE open;
CREATE INDEX parcours_blind_index_lookup ON parcours_blind_index (key_version, kind, digest);
