import { type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { AppConfig } from '../../config/app-config.js';
import type { LocalSigningKey } from './signing-key.js';
import { isMemberId } from '../../access/member-id.js';

export class InvalidTokenError extends Error {
  readonly code = 'invalid_token';
  constructor(readonly reason: string) {
    super(`the bearer token is not valid: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

/** The identity provider's keys could not be fetched: not the caller's fault (503). */
export class IdentityProviderUnavailableError extends Error {
  readonly code = 'identity_provider_unavailable';
  constructor() {
    super('the identity provider keys could not be fetched');
    this.name = 'IdentityProviderUnavailableError';
  }
}

const CACHE_SIZE = 10_000;

export interface VerifiedToken {
  subject: string;
  /** The instant (ms) from which the token is refused: its `exp` plus the tolerated clock skew. */
  acceptedUntilMs: number;
}

/**
 * Verifies OIDC bearer tokens (ProConnect-compatible): signature with the provider's JWKS (RS256 or
 * ES256 only — `none` and HMAC are refused), issuer, audience, expiry with a tolerated clock skew,
 * and a lifetime of at most TOKEN_MAX_LIFETIME_SECONDS: `iat` required, not in the future, and
 * `exp - iat` within the maximum (a token minted for a century is refused, not trusted for one).
 * A verified token is remembered until it expires, so a caseworker's tool calling many times pays
 * the signature check once.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly verified = new Map<string, { subject: string; expiresAtMs: number }>();

  constructor(
    private readonly config: Pick<AppConfig, 'oidcIssuer' | 'oidcAudience' | 'oidcJwksUrl' | 'jwtClockSkewSeconds' | 'tokenMaxLifetimeSeconds'>,
    localKey: LocalSigningKey | undefined,
  ) {
    if (config.oidcJwksUrl) {
      this.keys = createRemoteJWKSet(new URL(config.oidcJwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 });
    } else if (localKey) {
      this.keys = createLocalJWKSet({ keys: [localKey.publicJwk] });
    } else {
      throw new Error('no JWKS: configure OIDC_JWKS_URL or provide the local signing key');
    }
  }

  /** The token's subject (`sub`) and until when it is accepted, or an InvalidTokenError. */
  async verify(token: string): Promise<VerifiedToken> {
    const now = Date.now();
    const known = this.verified.get(token);
    const skewMs = this.config.jwtClockSkewSeconds * 1000;
    if (known && now < known.expiresAtMs + skewMs) return { subject: known.subject, acceptedUntilMs: known.expiresAtMs + skewMs };
    if (known) this.verified.delete(token);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.oidcIssuer,
        audience: this.config.oidcAudience,
        algorithms: ['RS256', 'ES256'],
        clockTolerance: this.config.jwtClockSkewSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
        // Also refuses an `iat` in the future.
        maxTokenAge: this.config.tokenMaxLifetimeSeconds,
      }));
    } catch (error) {
      throw translate(error);
    }
    const lifetime = payload.exp! - payload.iat!;
    if (lifetime > this.config.tokenMaxLifetimeSeconds) {
      throw new InvalidTokenError(`lifetime (exp - iat) of ${lifetime} s is longer than the ${this.config.tokenMaxLifetimeSeconds} s allowed`);
    }
    const subject = payload.sub!;
    // No member can have another id (they are checked when added): refused here, before a look-up.
    if (!isMemberId(subject)) throw new InvalidTokenError('sub claim rejected');
    this.verified.set(token, { subject, expiresAtMs: payload.exp! * 1000 });
    if (this.verified.size > CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    return { subject, acceptedUntilMs: payload.exp! * 1000 + skewMs };
  }
}

function translate(error: unknown): Error {
  if (error instanceof errors.JWKSTimeout) return new IdentityProviderUnavailableError();
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new InvalidTokenError(`${error.claim} claim ${error.reason === 'missing' ? 'missing' : 'rejected'}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('signature algorithm not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('bad signature');
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError('signed by an unknown key');
  if (error instanceof errors.JOSEError) return new InvalidTokenError('malformed token');
  // A failed fetch of the remote JWKS surfaces as a plain error.
  return new IdentityProviderUnavailableError();
}
