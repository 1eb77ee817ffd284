import type { Role } from './roles.js';

/**
 * Who is asking, as far as access decisions go: the caller's organisation, the territories it
 * serves, and the roles the request acts under (see `actingRolesFor`). The first acting role is the
 * one journaled and recorded in event metadata.
 */
export interface Caller {
  partnerId: string;
  territories: readonly string[];
  actingRoles: readonly Role[];
}

/**
 * The acting roles that see who the person is (name, birth date, contact details, notes). An
 * explicit allow-list: a role not named here — auditors, administrators, a role added tomorrow —
 * reads pseudonymised data.
 */
export const IDENTITY_ROLES: readonly Role[] = ['referent', 'orientation_manager', 'coordinator', 'dpo'];

function seesIdentityAs(role: Role): boolean {
  return IDENTITY_ROLES.includes(role);
}

/**
 * The roles a request acts under, given the roles its endpoint accepts (in the endpoint's order)
 * and those the caller holds; none when it holds none of them (the request is refused).
 *
 * The first accepted role held is the acting role. Roles that see the person's identity pool their
 * reach (a référent who is also a coordinator keeps their territory for every caseworker
 * endpoint); any other role acts alone, so that an auditor's reach over every parcours never
 * lends itself to a request that shows identities, whatever the caller holds besides.
 */
export function actingRolesFor(accepted: readonly Role[] | undefined, held: readonly Role[]): Role[] {
  const mine = (accepted ?? []).filter((role) => held.includes(role));
  const acting = mine[0];
  if (acting === undefined) return [];
  return seesIdentityAs(acting) ? mine.filter(seesIdentityAs) : [acting];
}

export function callerOf(principal: { partnerId: string; territories: readonly string[] }, actingRoles: readonly Role[]): Caller {
  return { partnerId: principal.partnerId, territories: principal.territories, actingRoles };
}

/** Whether the request shows who the person is: decided on the acting role alone, deny by default. */
export function seesIdentity(caller: Pick<Caller, 'actingRoles'>): boolean {
  const acting = caller.actingRoles[0];
  return acting !== undefined && seesIdentityAs(acting);
}

/** Whether the request acts under one of `roles`. */
export function actsAs(caller: Pick<Caller, 'actingRoles'>, ...roles: Role[]): boolean {
  return caller.actingRoles.some((role) => roles.includes(role));
}
