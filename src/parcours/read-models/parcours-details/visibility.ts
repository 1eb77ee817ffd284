import type { Principal } from '../../../partners/auth/principal.js';
import { hasRole } from '../../../partners/auth/principal.js';

/**
 * Who may see a parcours (CASF L.121-6-2, R.263-5; DESIGN §8): the organisation of its current
 * référent, the members of its follow-up group, the organisme référent chosen at orientation, the
 * Département's coordinators of its territory, and auditors (read-only, pseudonymised) and the DPO.
 * Once in the intermediate archive (R. 263-8 CASF) a parcours is seen by auditors and the DPO only.
 * Returned as a SQL condition on `parcours_details d`, so the filter is part of every query: a
 * parcours the caller may not see is not found, exactly like one that does not exist.
 */
export function visibleTo(principal: Principal, firstParam: number, purpose: 'read' | 'write'): { sql: string; params: unknown[] } {
  const p = (offset: number) => `$${firstParam + offset}`;
  const readsEverything = purpose === 'read' && hasRole(principal, 'auditor', 'dpo');
  const coordinates = hasRole(principal, 'coordinator');
  return {
    sql: `(((d.referent_partner_id = ${p(0)}::uuid OR d.organisme_referent_id = ${p(0)}::uuid
             OR d.follow_up_partner_ids @> ARRAY[${p(0)}::uuid]
             OR (${p(1)}::boolean AND d.territory = ANY(${p(2)}::text[])))
            AND d.archived_on IS NULL)
           OR ${p(3)}::boolean)`,
    params: [principal.partnerId, coordinates, [...principal.territories], readsEverything],
  };
}

/** Auditors read pseudonymised data: the facts, never who the person is. */
export function seesIdentity(principal: Principal): boolean {
  return principal.roles.some((role) => role !== 'auditor');
}

/**
 * The same rule on a folded state, for writes: the command handler decides on the state it holds,
 * so checking it there costs no query. Keep it in step with `visibleTo` (the authorisation matrix
 * exercises both: reads go through SQL, writes through this).
 */
export function mayWrite(
  principal: Principal,
  state: { referent: { partnerId: string } | null; organismeReferentId: string | null; followUpGroup: readonly string[]; territory: string; archived: object | null },
): boolean {
  const partnerId = principal.partnerId;
  if (state.archived !== null) return false;
  return (
    state.referent?.partnerId === partnerId ||
    state.organismeReferentId === partnerId ||
    state.followUpGroup.includes(partnerId) ||
    (hasRole(principal, 'coordinator') && principal.territories.includes(state.territory))
  );
}

/**
 * The DPO (and the platform administrator) act on the person's rights and on erasure for every
 * parcours, archived ones included: that is their function, not a follow-up role.
 */
export function handlesPersonalData(principal: Principal): boolean {
  return hasRole(principal, 'dpo', 'platform_admin');
}
