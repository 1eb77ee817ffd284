import type { Role } from './roles.js';
import { type Caller, actsAs } from './caller.js';

/**
 * Who grants what: roles to an organisation's members, scopes to its API keys (a key is a member
 * that is a system: the same rules hold for both), and the organisation's own fields. A
 * grantor is known by the roles it holds; a platform administrator is the Département's.
 */

/** Département-level roles: only a platform administrator grants them, to a person or a key, or takes them away. */
export const PLATFORM_GRANTED_ROLES: readonly Role[] = ['platform_admin', 'coordinator', 'auditor', 'dpo'];

/** The roles that record and decide a parcours, and see who the person is. */
export const CASEWORKER_ROLES: readonly Role[] = ['referent', 'orientation_manager', 'coordinator'];

/**
 * Roles no one holds together: an auditor checks the work of caseworkers and reads every parcours,
 * pseudonymised; holding a caseworker role besides would put a name on what the audit hides.
 */
export const INCOMPATIBLE_ROLES: ReadonlyArray<readonly [Role, readonly Role[]]> = [['auditor', CASEWORKER_ROLES]];

/** What a partner system's API key may be scoped to: the caseworker roles and audit, never administration nor the DPO. */
export const API_KEY_SCOPES: readonly Role[] = ['referent', 'orientation_manager', 'coordinator', 'auditor'];

/** Fields of an organisation that decide what its people reach: its territories (coordinators) and its kind (feeds). */
export const PLATFORM_MANAGED_FIELDS = ['territories', 'kind'] as const;

export type GrantRefusalCode = 'invalid_scopes' | 'incompatible_roles' | 'role_reserved_to_platform_admin' | 'field_reserved_to_platform_admin';

export interface GrantRefusal {
  code: GrantRefusalCode;
  message: string;
}

function isPlatformAdmin(grantor: readonly Role[]): boolean {
  return grantor.includes('platform_admin');
}

/**
 * Why `grantor` may not give `roles` to a member or an API key of an organisation it manages, or
 * null when it may: a key is scoped to `API_KEY_SCOPES` only; no one holds incompatible roles;
 * a partner administrator gives only what it may give its own staff.
 */
export function grantRefusal(grantor: readonly Role[], roles: readonly Role[], holder: 'member' | 'api_key'): GrantRefusal | null {
  if (holder === 'api_key') {
    const outside = roles.filter((role) => !API_KEY_SCOPES.includes(role));
    if (outside.length) return { code: 'invalid_scopes', message: `an API key is scoped to one or more of ${API_KEY_SCOPES.join(', ')}, not ${outside.join(', ')}` };
  }
  for (const [role, excluded] of INCOMPATIBLE_ROLES) {
    const clash = roles.includes(role) ? excluded.filter((other) => roles.includes(other)) : [];
    if (clash.length) return { code: 'incompatible_roles', message: `${role} is never held with ${clash.join(', ')}` };
  }
  return removalRefusal(grantor, roles);
}

/** Why `grantor` may not take `roles` away (taking a Département-level role away is as reserved as granting it), or null. */
export function removalRefusal(grantor: readonly Role[], roles: readonly Role[]): GrantRefusal | null {
  if (isPlatformAdmin(grantor)) return null;
  const reserved = roles.filter((role) => PLATFORM_GRANTED_ROLES.includes(role));
  return reserved.length ? { code: 'role_reserved_to_platform_admin', message: `only a platform admin grants or removes ${reserved.join(', ')}` } : null;
}

/** Why `grantor` may not change these fields of an organisation it manages, or null. Name and SIRET are its administrator's. */
export function organisationChangeRefusal(grantor: readonly Role[], changed: readonly string[]): GrantRefusal | null {
  if (isPlatformAdmin(grantor)) return null;
  const reserved = changed.filter((field) => (PLATFORM_MANAGED_FIELDS as readonly string[]).includes(field));
  return reserved.length ? { code: 'field_reserved_to_platform_admin', message: `only a platform admin changes the ${reserved.join(' and ')} of an organisation` } : null;
}

/**
 * Whether the caller manages an organisation (its members, keys, fields): a platform administrator
 * every one, a partner administrator its own. Another organisation's management answers 404,
 * exactly like one that does not exist.
 */
export function managesOrganisation(caller: Caller, partnerId: string): boolean {
  if (actsAs(caller, 'platform_admin')) return true;
  return actsAs(caller, 'partner_admin') && caller.partnerId.toLowerCase() === partnerId.toLowerCase();
}

/**
 * Whether the caller manages an organisation's webhook endpoints (where its feed is sent, their
 * secrets, replays): as for the rest of the organisation, a platform administrator every one, a
 * partner administrator its own.
 */
export function managesWebhooks(caller: Caller, partnerId: string): boolean {
  return managesOrganisation(caller, partnerId);
}
