-- Webhook endpoints: where an organisation's feed (partner_feed, already minimised) is POSTed, and
-- each endpoint's delivery state. No personal data: a URL, wrapped secrets, a feed cursor, counts,
-- an HTTP status and an error code.
CREATE TABLE webhook_endpoints (
  endpoint_id             uuid PRIMARY KEY,
  partner_id              uuid NOT NULL REFERENCES partners (partner_id),
  url                     text NOT NULL,
  description             text NOT NULL,
  -- The signing secret, AES-256-GCM under the master key (bound to the endpoint id): the service
  -- needs the secret itself to sign, so it cannot keep a hash.
  secret_wrapped          bytea NOT NULL,
  -- The secret a rotation replaced, still signing beside the new one until previous_secret_until.
  previous_secret_wrapped bytea,
  previous_secret_until   timestamptz,
  master_key_id           text NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  created_by              text,
  secret_rotated_at       timestamptz,
  -- Delivery: the cursor of the last feed item the endpoint acknowledged (2xx).
  cursor_transaction_id   xid8 NOT NULL,
  cursor_position         bigint NOT NULL,
  delivered               bigint NOT NULL DEFAULT 0,
  -- Consecutive failed attempts of the item after the cursor (0: not in back-off).
  attempts                integer NOT NULL DEFAULT 0,
  next_attempt_at         timestamptz NOT NULL DEFAULT now(),
  -- Bumped by each feed commit for the organisation: a delivery that found nothing to send goes idle
  -- only if no commit came meanwhile.
  wakes                   bigint NOT NULL DEFAULT 0,
  failing_since           timestamptz,
  dead_since              timestamptz,
  last_attempt_at         timestamptz,
  last_success_at         timestamptz,
  last_status             integer,
  last_error              text,
  -- One worker delivers an endpoint at a time: one batch in flight, in feed order.
  lease_owner             text,
  lease_until             timestamptz
);
CREATE INDEX webhook_endpoints_by_partner ON webhook_endpoints (partner_id);
CREATE INDEX webhook_endpoints_due ON webhook_endpoints (next_attempt_at) WHERE dead_since IS NULL;
