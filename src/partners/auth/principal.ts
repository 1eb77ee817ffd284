import type { PartnerKind, Role } from '../domain/roles.js';

/** Who is calling, as established by authentication: a caseworker (token) or a partner system (API key). */
export interface Principal {
  kind: 'user' | 'api_key';
  /** The identity provider's `sub` (user) — an opaque identifier, not a name. */
  userId?: string;
  apiKeyId?: string;
  partnerId: string;
  partnerKind: PartnerKind;
  /** Territories the caller's organisation serves (coordinators see parcours there). */
  territories: readonly string[];
  /** A user's roles, or the scopes of an API key. */
  roles: readonly Role[];
}

export interface AuthenticatedRequest {
  principal?: Principal;
  /** The role under which the caller is acting for this endpoint (the first of the endpoint's roles it holds). */
  actingRole?: Role;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
