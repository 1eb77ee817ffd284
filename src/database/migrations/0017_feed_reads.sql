-- Where each organisation's feed readers (GET /v1/feed and /v1/feed/stream) stand: the furthest
-- feed item served to it and when a page was last served. One row per organisation, upserted by
-- the statement that journals the page served (access_journal), so serving a page costs no extra
-- round trip. Webhook endpoints keep their own cursor (webhook_endpoints). No personal data: a
-- feed cursor and times.
CREATE TABLE partner_feed_reads (
  partner_id             uuid PRIMARY KEY,
  served_transaction_id  xid8 NOT NULL,
  served_position        bigint NOT NULL,
  -- The furthest cursor moved forward then (a reader going back over older items does not move it).
  served_at              timestamptz NOT NULL,
  -- The last page served, wherever it started.
  last_read_at           timestamptz NOT NULL,
  pages_served           bigint NOT NULL DEFAULT 0
);
