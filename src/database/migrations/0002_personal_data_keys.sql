-- Personal data keys (DESIGN §8). Personal data never lies in clear in an event: it is encrypted
-- with a data key of its subject (a parcours id), and erasing the subject deletes that key
-- (crypto-shredding), which leaves the ciphertext in the append-only event store unreadable
-- forever without rewriting a single event.

-- One data key per subject, stored only wrapped (AES-256-GCM) under a master key that never
-- enters the database, so a copy of the database alone reveals no data key. The subject id is
-- bound to the wrapped key as authenticated data: a wrapped key moved to another subject's row
-- does not unwrap. master_key_id names the master key that wrapped the row, so that a rotation can
-- find and re-wrap the rows of an old master key, and a misconfigured master key is reported as
-- such rather than as corrupted keys.
CREATE TABLE personal_data_keys (
  subject_id    uuid PRIMARY KEY,
  wrapped_key   bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The erasure ledger: which subjects were erased, when, and on what legal ground (a code such as
-- a retention rule or a data subject's request — never personal data, so the ledger itself
-- never needs erasing). Rows are never deleted. It serves two purposes:
--   * a key is never created again for an erased subject (no new personal data about them);
--   * a restore from backup brings back the keys of subjects erased after the backup was taken;
--     replaying the ledger (with the entries kept outside the restored backup) deletes them
--     again (KeyVault.replayErasures).
CREATE TABLE personal_data_erasures (
  subject_id   uuid PRIMARY KEY,
  erased_at    timestamptz NOT NULL DEFAULT now(),
  legal_ground text NOT NULL,
  CONSTRAINT personal_data_erasures_legal_ground_present CHECK (btrim(legal_ground) <> '')
);
