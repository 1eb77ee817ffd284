import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';

/** A session lives `webSessionIdleMinutes` after its last request, and never more than this many times that after sign-in. */
const ABSOLUTE_FACTOR = 4;
/** A sign-in with the identity provider must come back within this. */
const SIGN_IN_ATTEMPT_MS = 10 * 60_000;
/** The last-seen time is written at most this often per session (one write per page would double the cost of a read). */
const TOUCH_EVERY_MS = 60_000;

export interface WebSession {
  userId: string;
  /** The cookie value hashed: what the CSRF tokens are bound to. */
  hash: string;
  expiresAtMs: number;
  /** The secret the session's CSRF tokens are made and checked with (@fastify/csrf-protection). */
  csrfSecret: string;
}

export interface SignInAttempt {
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * Web sessions kept in the database (migration 0016): the cookie holds 256 random bits, the table
 * their SHA-256. Chosen over a sealed cookie (@fastify/secure-session) because signing out, a
 * member removed or an organisation deactivated must end the session on every instance at once,
 * and because no cookie key has to be shared and rotated between instances.
 */
@Injectable()
export class WebSessions {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Opens a session for a member; returns the cookie value. */
  async open(userId: string, idToken: string | null = null): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.db.query(
      `INSERT INTO web_sessions (session_hash, user_id, csrf_secret, id_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
      [digest(id), userId, randomBytes(18).toString('base64url'), idToken, new Date(now), new Date(now + this.idleMs())],
    );
    // Expired sessions are swept by whoever signs in: no scheduled job for a small table.
    await this.db.query(`DELETE FROM web_sessions WHERE expires_at < now() - interval '1 day'`);
    return id;
  }

  /** The live session a cookie value names, its expiry pushed back (within the absolute limit), or undefined. */
  async find(id: string | undefined): Promise<WebSession | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const hash = digest(id);
    const [row] = await this.db.query<{ user_id: string; csrf_secret: string; created_at: Date; last_seen_at: Date; expires_at: Date }>(
      'SELECT user_id, csrf_secret, created_at, last_seen_at, expires_at FROM web_sessions WHERE session_hash = $1',
      [hash],
    );
    const now = Date.now();
    if (!row || new Date(row.expires_at).getTime() <= now) return undefined;
    const absolute = new Date(row.created_at).getTime() + ABSOLUTE_FACTOR * this.idleMs();
    let expiresAtMs = new Date(row.expires_at).getTime();
    if (now - new Date(row.last_seen_at).getTime() >= TOUCH_EVERY_MS) {
      expiresAtMs = Math.min(now + this.idleMs(), absolute);
      await this.db.query('UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE session_hash = $1', [hash, new Date(now), new Date(expiresAtMs)]);
    }
    return { userId: row.user_id, hash, expiresAtMs, csrfSecret: row.csrf_secret };
  }

  /** Ends the session; answers the provider's ID token it held (for the sign-out at the provider), if any. */
  async close(id: string | undefined): Promise<string | null> {
    if (!id) return null;
    const [row] = await this.db.query<{ id_token: string | null }>('DELETE FROM web_sessions WHERE session_hash = $1 RETURNING id_token', [digest(id)]);
    return row?.id_token ?? null;
  }

  /** Records a sign-in with the identity provider under way; returns the cookie value that finds it again. */
  async beginSignIn(attempt: SignInAttempt): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.db.query(`DELETE FROM web_sign_ins WHERE expires_at < now()`);
    await this.db.query(
      'INSERT INTO web_sign_ins (attempt_hash, code_verifier, state, nonce, return_to, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [digest(id), attempt.codeVerifier, attempt.state, attempt.nonce, attempt.returnTo, new Date(Date.now() + SIGN_IN_ATTEMPT_MS)],
    );
    return id;
  }

  /** The attempt a cookie names, used once: it is deleted as it is read (a replayed callback finds nothing). */
  async takeSignIn(id: string | undefined): Promise<SignInAttempt | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const [row] = await this.db.query<{ code_verifier: string; state: string; nonce: string; return_to: string }>(
      'DELETE FROM web_sign_ins WHERE attempt_hash = $1 AND expires_at > now() RETURNING code_verifier, state, nonce, return_to',
      [digest(id)],
    );
    return row && { codeVerifier: row.code_verifier, state: row.state, nonce: row.nonce, returnTo: row.return_to };
  }

  private idleMs(): number {
    return this.config.webSessionIdleMinutes * 60_000;
  }
}
