import type { PartnerKind, Role } from './roles.js';

/**
 * Who is calling, as established by authentication: a caseworker (token) or a partner system (API
 * key); or the service itself for its scheduled duties (retention), which no request can claim.
 */
export interface Principal {
  kind: 'user' | 'api_key' | 'system';
  /** The identity provider's `sub` (user) — an opaque identifier, not a name. */
  userId?: string;
  apiKeyId?: string;
  partnerId: string;
  partnerKind: PartnerKind;
  /** Territories the caller's organisation serves (coordinators see parcours there). */
  territories: readonly string[];
  /** A user's roles, or the scopes of an API key. */
  roles: readonly Role[];
  /**
   * When the credential stops being accepted (ms since the epoch): a token's `exp` plus the
   * tolerated clock skew, an API key's expiry. Long-lived answers (feed streams) end then.
   */
  credentialExpiresAtMs?: number;
}

export interface AuthenticatedRequest {
  principal?: Principal;
  /** The role under which the caller is acting for this endpoint (the first of the endpoint's roles it holds). */
  actingRole?: Role;
  /** Every role the request acts under, the acting role first (see `actingRolesFor` in src/access/caller.ts). */
  actingRoles?: readonly Role[];
}

/** The service applying the retention rule (R. 263-8 CASF): journaled as `system:retention`, in no organisation. */
export const RETENTION_SYSTEM: Principal = Object.freeze({
  kind: 'system',
  userId: 'system:retention',
  // The nil uuid: a valid id that names no organisation, so no visibility rule can match it.
  partnerId: '00000000-0000-0000-0000-000000000000',
  partnerKind: 'departement',
  territories: Object.freeze([]) as readonly string[],
  roles: Object.freeze(['platform_admin']) as readonly Role[],
}) as Principal;
