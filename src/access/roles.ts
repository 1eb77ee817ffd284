/**
 * Roles a member may hold. Endpoints declare which roles they accept; a role string outside this
 * list (from an old token or a typo in data) grants nothing.
 */
export const ROLES = ['referent', 'orientation_manager', 'coordinator', 'auditor', 'dpo', 'partner_admin', 'platform_admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

// Who may grant which role, and what an API key may be scoped to: src/access/grant-rules.ts.

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
