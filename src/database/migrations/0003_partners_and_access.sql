-- Partner organisations, members and API keys: read models of the partner-<uuid> streams, written
-- in the same transaction as the events (inline), because authentication reads them on every request.

CREATE TABLE partners (
  partner_id    uuid PRIMARY KEY,
  name          text NOT NULL,
  kind          text NOT NULL,
  siret         text,
  territories   text[] NOT NULL,
  active        boolean NOT NULL,
  version       integer NOT NULL,
  registered_at timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- One organisation per person: the `sub` of the identity provider is the key.
CREATE TABLE partner_members (
  user_id      text PRIMARY KEY,
  partner_id   uuid NOT NULL REFERENCES partners (partner_id),
  display_name text NOT NULL,
  roles        text[] NOT NULL,
  added_at     timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX partner_members_by_partner ON partner_members (partner_id);

CREATE TABLE api_keys (
  key_id       text PRIMARY KEY,
  partner_id   uuid NOT NULL REFERENCES partners (partner_id),
  name         text NOT NULL,
  scopes       text[] NOT NULL,
  secret_hash  text NOT NULL,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL,
  created_by   text,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_by_partner ON api_keys (partner_id);

-- Access journal (CNIL délibération 2021-122): who read or wrote which beneficiary record, when,
-- how — never the personal data itself. Append-only: the triggers below refuse UPDATE, TRUNCATE and
-- any DELETE but that of entries past the 12 months the CNIL asks to keep.
CREATE TABLE access_journal (
  entry_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  actor_user_id    text,
  actor_api_key_id text,
  actor_partner_id uuid,
  actor_role       text,
  operation        text NOT NULL,
  record_type      text NOT NULL,
  record_id        text NOT NULL,
  outcome          text NOT NULL,
  correlation_id   text NOT NULL
);
CREATE INDEX access_journal_by_record ON access_journal (record_id, at);
CREATE INDEX access_journal_by_user ON access_journal (actor_user_id, at);
CREATE INDEX access_journal_by_time ON access_journal (at);

CREATE FUNCTION access_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.at < now() - interval '12 months' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'the access journal is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_journal_append_only BEFORE UPDATE OR DELETE ON access_journal
  FOR EACH ROW EXECUTE FUNCTION access_journal_append_only();
CREATE TRIGGER access_journal_no_truncate BEFORE TRUNCATE ON access_journal
  FOR EACH STATEMENT EXECUTE FUNCTION access_journal_append_only();
