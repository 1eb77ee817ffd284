-- Request counts shared by the instances of the service, so that a rate limit holds across them:
-- each instance counts in memory and adds its counts here once a second (never a round trip per
-- request), getting back the total of every instance. A window opens at a key's first request and
-- lasts a minute. Counts need not survive a crash: unlogged.
CREATE UNLOGGED TABLE rate_limit_counts (
  -- `org:<partner uuid>`, or `addr:`/`fail:` and a keyed hash of the client's address (personal
  -- data: never stored in clear).
  key            text PRIMARY KEY,
  expires_at_ms  bigint NOT NULL,
  hits           integer NOT NULL
);

-- The key of those hashes, one per deployment (gen_random_uuid draws from a strong source).
CREATE TABLE rate_limit_salt (salt text NOT NULL);
INSERT INTO rate_limit_salt SELECT gen_random_uuid()::text || gen_random_uuid()::text;
