import type { SqlClient } from '../../database/sql-client.js';
import type { PartnerKind, Role } from '../../access/roles.js';
import { isRole } from '../../access/roles.js';
import { parseApiKey, secretMatches } from './api-key-secret.js';
import type { Principal } from '../../access/principal.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

export class InvalidApiKeyError extends Error {
  readonly code = 'invalid_api_key';
  constructor(readonly reason: string) {
    super(`the API key is not valid: ${reason}`);
    this.name = 'InvalidApiKeyError';
  }
}

/** Authenticated, but nobody the service knows, or an organisation that is no longer active (403). */
export class NotAMemberError extends Error {
  readonly code = 'not_a_member';
  constructor(message: string) {
    super(message);
    this.name = 'NotAMemberError';
  }
}

interface MemberRow {
  partner_id: string;
  roles: string[];
  kind: PartnerKind;
  territories: string[];
  active: boolean;
}

interface ApiKeyRow {
  key_id: string;
  partner_id: string;
  scopes: string[];
  secret_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  kind: PartnerKind;
  territories: string[];
  active: boolean;
}

/**
 * Role changes and revocations take effect at once on this instance (the partner write side calls
 * `forgetPartner`), and within this many milliseconds on the others.
 */
export const PRINCIPAL_CACHE_MS = 5_000;
const LAST_USE_EVERY_MS = 60_000;

export class PrincipalResolver {
  private readonly users = new Map<string, { at: number; row: MemberRow | undefined }>();
  private readonly keys = new Map<string, { at: number; row: ApiKeyRow | undefined }>();
  private readonly lastUseRecorded = new Map<string, number>();

  constructor(private readonly db: SqlClient, private readonly tokens: TokenVerifier) {}

  /**
   * From an Authorization header value to a principal; throws the typed errors above. `maxAgeMs`:
   * how old a cached member or key may be (0: read now, for a feed stream's periodic re-check,
   * which must see a revocation made on another instance).
   */
  async resolve(authorization: string | undefined, maxAgeMs = PRINCIPAL_CACHE_MS): Promise<Principal> {
    if (!authorization) throw new InvalidTokenError('missing Authorization header');
    const space = authorization.indexOf(' ');
    const scheme = space < 0 ? authorization : authorization.slice(0, space);
    const credentials = space < 0 ? '' : authorization.slice(space + 1).trim();
    if (/^bearer$/i.test(scheme)) return this.fromToken(credentials, maxAgeMs);
    if (/^apikey$/i.test(scheme)) return this.fromApiKey(credentials, maxAgeMs);
    throw new InvalidTokenError('use "Bearer <token>" or "ApiKey <key>"');
  }

  forgetPartner(partnerId: string): void {
    for (const [key, entry] of this.users) if (entry.row?.partner_id === partnerId) this.users.delete(key);
    for (const [key, entry] of this.keys) if (entry.row?.partner_id === partnerId) this.keys.delete(key);
  }

  forgetUser(userId: string): void {
    this.users.delete(userId);
  }

  private async fromToken(token: string, maxAgeMs: number): Promise<Principal> {
    const { subject: userId, acceptedUntilMs } = await this.tokens.verify(token);
    return this.member(userId, acceptedUntilMs, maxAgeMs);
  }

  /**
   * The principal of a member whose identity was established otherwise (a bearer token's `sub`, a
   * web session's): the same look-up and the same refusals, hence the same principal whichever way
   * the member came in.
   */
  async member(userId: string, acceptedUntilMs: number, maxAgeMs = PRINCIPAL_CACHE_MS): Promise<Principal> {
    const row = await this.cached(this.users, userId, maxAgeMs, () =>
      this.db.query<MemberRow>(
        `SELECT m.partner_id, m.roles, p.kind, p.territories, p.active
           FROM partner_members m JOIN partners p ON p.partner_id = m.partner_id WHERE m.user_id = $1`,
        [userId],
      ),
    );
    if (!row) throw new NotAMemberError('this identity is not a member of any partner organisation');
    if (!row.active) throw new NotAMemberError('this organisation is inactive');
    return {
      kind: 'user',
      userId,
      partnerId: row.partner_id,
      partnerKind: row.kind,
      territories: row.territories,
      roles: roles(row.roles),
      credentialExpiresAtMs: acceptedUntilMs,
    };
  }

  private async fromApiKey(token: string, maxAgeMs: number): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed) throw new InvalidApiKeyError('malformed key');
    const row = await this.cached(this.keys, parsed.keyId, maxAgeMs, () =>
      this.db.query<ApiKeyRow>(
        `SELECT k.key_id, k.partner_id, k.scopes, k.secret_hash, k.expires_at, k.revoked_at, p.kind, p.territories, p.active
           FROM api_keys k JOIN partners p ON p.partner_id = k.partner_id WHERE k.key_id = $1`,
        [parsed.keyId],
      ),
    );
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) throw new InvalidApiKeyError('unknown key');
    if (row.revoked_at) throw new InvalidApiKeyError('revoked');
    if (row.expires_at.getTime() <= Date.now()) throw new InvalidApiKeyError('expired');
    if (!row.active) throw new NotAMemberError('this organisation is inactive');
    this.recordUse(row.key_id);
    return {
      kind: 'api_key',
      apiKeyId: row.key_id,
      partnerId: row.partner_id,
      partnerKind: row.kind,
      territories: row.territories,
      roles: roles(row.scopes),
      credentialExpiresAtMs: row.expires_at.getTime(),
    };
  }

  private async cached<Row>(
    cache: Map<string, { at: number; row: Row | undefined }>,
    key: string,
    maxAgeMs: number,
    load: () => Promise<Row[]>,
  ): Promise<Row | undefined> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < maxAgeMs) return hit.row;
    const [row] = await load();
    cache.set(key, { at: now, row });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return row;
  }

  /** Last use is for the partner admin's key list: once a minute per key is precise enough and spares a write per request. */
  private recordUse(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastUseRecorded.get(keyId) ?? 0) < LAST_USE_EVERY_MS) return;
    this.lastUseRecorded.set(keyId, now);
    this.db.query('UPDATE api_keys SET last_used_at = now() WHERE key_id = $1', [keyId]).catch(() => this.lastUseRecorded.delete(keyId));
  }
}

function roles(values: readonly string[]): Role[] {
  return values.filter(isRole);
}
