-- parcours_details: the current state of each parcours for caseworkers, written in the transaction
-- of its events (inline, read-your-writes; ETag = version). Visibility columns are kept apart so
-- that "who may see this parcours" is part of every query, not a check after the fact.
CREATE TABLE parcours_details (
  parcours_id           uuid PRIMARY KEY,
  version               integer NOT NULL,
  status                text NOT NULL,
  territory             text NOT NULL,
  entry_on              date NOT NULL,
  rsa_socle             boolean NOT NULL,
  parcours_type         text,
  organisme_referent_id uuid,
  referent_user_id      text,
  referent_partner_id   uuid,
  follow_up_partner_ids uuid[] NOT NULL,
  -- The identity as stored in the events: ciphertext under the beneficiary's key (null once erased).
  identity_ciphertext   text,
  -- Everything else the API shows; no personal data in it.
  state                 json NOT NULL,
  last_activity_on      date,
  opened_at             timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);
CREATE INDEX parcours_details_follow_up ON parcours_details USING gin (follow_up_partner_ids);
CREATE INDEX parcours_details_referent_partner ON parcours_details (referent_partner_id);
CREATE INDEX parcours_details_organisme_referent ON parcours_details (organisme_referent_id);
CREATE INDEX parcours_details_territory ON parcours_details (territory, status);
CREATE INDEX parcours_details_referent_user ON parcours_details (referent_user_id);

-- Idempotency-Key: the answer given to a request, replayed to its retries; written in the
-- transaction of the command's events, so a request either left both or neither. No personal data:
-- command answers carry ids and versions only.
CREATE TABLE idempotency_keys (
  partner_id   uuid NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  status       integer NOT NULL,
  headers      json NOT NULL,
  body         json NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
