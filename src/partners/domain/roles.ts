/**
 * Roles a member may hold. Endpoints declare which roles they accept; a role string outside this
 * list (from an old token or a typo in data) grants nothing.
 */
export const ROLES = ['referent', 'orientation_manager', 'coordinator', 'auditor', 'dpo', 'partner_admin', 'platform_admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Département-level roles: only a platform admin grants them. */
export const PLATFORM_GRANTED_ROLES: readonly Role[] = ['platform_admin', 'coordinator', 'auditor', 'dpo'];

/** What a partner system's API key may be scoped to: the caseworker roles, never administration. */
export const API_KEY_SCOPES: readonly Role[] = ['referent', 'orientation_manager', 'coordinator', 'auditor'];

export const PARTNER_KINDS = [
  'departement',
  'etat',
  'epci',
  'commune',
  'caf',
  'france_travail',
  'mission_locale',
  'cap_emploi',
  'association',
  'siae_aci',
  'siae_ei',
  'siae_etti',
  'siae_ai',
  'ebe',
  'interim',
  'employer',
  'other',
] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];
