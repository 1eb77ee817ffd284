-- Sessions of the web pages, kept on the server: signing out, or a member removed, ends the
-- session on every instance at once (a cookie holding the session itself could not be taken back).
-- The cookie carries a random id; the table holds its SHA-256 only, so a copy of the table signs
-- nobody in. No personal data: the member's `sub` and times.
CREATE TABLE web_sessions (
  session_hash  text PRIMARY KEY,
  user_id       text NOT NULL,
  -- The secret of the session's CSRF tokens (@fastify/csrf-protection): bound to this session.
  csrf_secret   text NOT NULL,
  -- The identity provider's ID token, kept for the sign-out at the provider (its id_token_hint);
  -- null for a local (demo) sign-in.
  id_token      text,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

-- A sign-in with the identity provider under way: the PKCE verifier, the state and the nonce of
-- the authorization request, found again at the callback by the random id its cookie carries.
CREATE TABLE web_sign_ins (
  attempt_hash   text PRIMARY KEY,
  code_verifier  text NOT NULL,
  state          text NOT NULL,
  nonce          text NOT NULL,
  return_to      text NOT NULL,
  expires_at     timestamptz NOT NULL
);
