import type { Role } from './roles.js';
import { type Caller, actsAs } from './caller.js';

/**
 * Who may reach a parcours (CASF L.121-6-2, R.263-5; DESIGN §8), defined once, as data: for each
 * purpose, the roles that reach parcours and through which clauses. The SQL condition on
 * `parcours_details d` (every read filters in the query: a parcours the caller may not see is not
 * found, exactly like one that does not exist) and the check on a folded state (a command decides
 * on the state it holds, at no query's cost) are both derived from it; a property test proves
 * they agree. A role or purpose not listed reaches nothing.
 */

/** What the caller does with the parcours. */
export type ParcoursPurpose =
  /** Read it (details, lists, caseload, continuity). */
  | 'read'
  /** Record the accompaniment (every command but the person's rights). */
  | 'record'
  /** Act on the person's rights and on retention (rectification, restriction, archive, erasure). */
  | 'rights'
  /** Record what the CAF/MSA monthly file says of a person's RSA rights (intake). */
  | 'intake';

/** A reason why a caller reaches a parcours. */
export type ParcoursClause =
  /** The caller's organisation employs the current référent. */
  | 'referent_organisation'
  /** The caller's organisation is the organisme référent chosen at orientation. */
  | 'organisme_referent'
  /** The caller's organisation is in the follow-up group. */
  | 'follow_up_group'
  /** The parcours is in a territory the caller's organisation serves (the Département's coordinators). */
  | 'served_territory'
  /** Any parcours: a function over all of them (audit, the person's rights). */
  | 'any_parcours';

export interface ParcoursReach {
  clauses: readonly ParcoursClause[];
  /** Whether archived parcours (intermediate archive, R. 263-8 CASF) are reached too. */
  archived: boolean;
}

const FOLLOWS: readonly ParcoursClause[] = ['referent_organisation', 'organisme_referent', 'follow_up_group'];
const FOLLOWER: ParcoursReach = { clauses: FOLLOWS, archived: false };
const COORDINATOR: ParcoursReach = { clauses: [...FOLLOWS, 'served_territory'], archived: false };
const EVERY_PARCOURS: ParcoursReach = { clauses: ['any_parcours'], archived: true };

export const PARCOURS_RULE: Readonly<Record<ParcoursPurpose, Readonly<Partial<Record<Role, ParcoursReach>>>>> = {
  // Auditors read every parcours, pseudonymised (see IDENTITY_ROLES); the DPO too, for the person's
  // rights. Once archived, a parcours is read by them only.
  read: { referent: FOLLOWER, orientation_manager: FOLLOWER, coordinator: COORDINATOR, auditor: EVERY_PARCOURS, dpo: EVERY_PARCOURS },
  record: { referent: FOLLOWER, orientation_manager: FOLLOWER, coordinator: COORDINATOR },
  // The DPO and the platform administrator (the retention job acts as one) act on the person's
  // rights for every parcours, archived ones included: that is their function, not a follow-up role.
  rights: { referent: FOLLOWER, orientation_manager: FOLLOWER, coordinator: COORDINATOR, dpo: EVERY_PARCOURS, platform_admin: EVERY_PARCOURS },
  // The monthly file concerns every beneficiary of the département: the platform administrator
  // imports it for all; a coordinator for the parcours its organisation reaches.
  intake: { coordinator: COORDINATOR, platform_admin: { clauses: ['any_parcours'], archived: false } },
};

/** What the rule reads of a parcours. */
export interface ParcoursFacts {
  referentPartnerId: string | null;
  organismeReferentId: string | null;
  followUpGroup: readonly string[];
  territory: string;
  archived: boolean;
}

/** The facts of a folded parcours state (or of anything shaped like one). */
export function parcoursFactsOf(state: {
  referent: { partnerId: string } | null;
  organismeReferentId: string | null;
  followUpGroup: readonly string[];
  territory: string;
  archived: object | null;
}): ParcoursFacts {
  return {
    referentPartnerId: state.referent?.partnerId ?? null,
    organismeReferentId: state.organismeReferentId,
    followUpGroup: state.followUpGroup,
    territory: state.territory,
    archived: state.archived !== null,
  };
}

interface SqlParams {
  partner: string;
  territories: string;
}

/**
 * Each clause twice, side by side: over the columns of `parcours_details d`, and over the facts.
 * Organisation ids are uuids: the columns compare them as such, the facts in lower case (an id an
 * event recorded in capitals is the same organisation).
 */
const CLAUSES: Readonly<Record<ParcoursClause, { needs: readonly (keyof SqlParams)[]; sql(params: SqlParams): string; holds(facts: ParcoursFacts, caller: Caller): boolean }>> = {
  referent_organisation: {
    needs: ['partner'],
    sql: (p) => `d.referent_partner_id = ${p.partner}`,
    holds: (facts, caller) => sameId(facts.referentPartnerId, caller.partnerId),
  },
  organisme_referent: {
    needs: ['partner'],
    sql: (p) => `d.organisme_referent_id = ${p.partner}`,
    holds: (facts, caller) => sameId(facts.organismeReferentId, caller.partnerId),
  },
  follow_up_group: {
    needs: ['partner'],
    sql: (p) => `d.follow_up_partner_ids @> ARRAY[${p.partner}]`,
    holds: (facts, caller) => facts.followUpGroup.some((partnerId) => sameId(partnerId, caller.partnerId)),
  },
  served_territory: {
    needs: ['territories'],
    sql: (p) => `d.territory = ANY(${p.territories})`,
    holds: (facts, caller) => caller.territories.includes(facts.territory),
  },
  any_parcours: {
    needs: [],
    sql: () => 'TRUE',
    holds: () => true,
  },
};

const NOT_ARCHIVED_SQL = 'd.archived_on IS NULL';

function sameId(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** The reaches of the roles the caller acts under, for a purpose. */
function reachesOf(caller: Caller, purpose: ParcoursPurpose): ParcoursReach[] {
  const rule = PARCOURS_RULE[purpose];
  return caller.actingRoles.flatMap((role) => rule[role] ?? []);
}

/** Whether the caller reaches a parcours with these facts, for a purpose: the in-memory form of the rule. */
export function reachesParcours(caller: Caller, purpose: ParcoursPurpose, facts: ParcoursFacts): boolean {
  return reachesOf(caller, purpose).some((reach) => (reach.archived || !facts.archived) && reach.clauses.some((clause) => CLAUSES[clause].holds(facts, caller)));
}

/**
 * The rule as a SQL condition on `parcours_details d`, its parameters numbered from `firstParam`.
 * The text depends only on the caller's acting roles, so it takes few forms, each prepared once.
 */
export function parcoursCondition(caller: Caller, purpose: ParcoursPurpose, firstParam: number): { sql: string; params: unknown[] } {
  const key = `${purpose} ${firstParam} ${caller.actingRoles.join(',')}`;
  let form = CONDITION_FORMS.get(key);
  if (!form) {
    form = conditionForm(reachesOf(caller, purpose), firstParam);
    CONDITION_FORMS.set(key, form);
  }
  const values: Record<keyof SqlParams, unknown> = { partner: caller.partnerId, territories: [...caller.territories] };
  return { sql: form.sql, params: form.parameters.map((name) => values[name]) };
}

/** The text of the condition and the parameters it takes, in order: one per set of acting roles, purpose and first parameter, built on first use (reads ask for it at every request). */
const CONDITION_FORMS = new Map<string, { sql: string; parameters: (keyof SqlParams)[] }>();

function conditionForm(reaches: readonly ParcoursReach[], firstParam: number): { sql: string; parameters: (keyof SqlParams)[] } {
  const clauses = (archived: boolean) => [...new Set(reaches.filter((reach) => reach.archived === archived).flatMap((reach) => reach.clauses))];
  const active = clauses(false);
  const always = clauses(true);
  // Only the parameters the clauses use: PostgreSQL refuses one it cannot type.
  const needed = new Set([...active, ...always].flatMap((clause) => CLAUSES[clause].needs));
  const parameters: (keyof SqlParams)[] = [];
  const parameter = (name: keyof SqlParams, type: string) => {
    if (!needed.has(name)) return '';
    parameters.push(name);
    return `$${firstParam + parameters.length - 1}::${type}`;
  };
  const names: SqlParams = { partner: parameter('partner', 'uuid'), territories: parameter('territories', 'text[]') };
  const any = (list: readonly ParcoursClause[]) => list.map((clause) => CLAUSES[clause].sql(names)).join(' OR ');
  const parts = [...(active.length ? [`((${any(active)}) AND ${NOT_ARCHIVED_SQL})`] : []), ...(always.length ? [`(${any(always)})`] : [])];
  return { sql: parts.length ? `(${parts.join(' OR ')})` : 'FALSE', parameters };
}

/**
 * The territories whose parcours a report may name: every one for an auditor, those its
 * organisation serves for a coordinator, none otherwise.
 */
export function reportTerritories(caller: Caller): 'all' | readonly string[] {
  if (actsAs(caller, 'auditor')) return 'all';
  if (actsAs(caller, 'coordinator')) return caller.territories;
  return [];
}

/**
 * Whether an intake may open a new parcours in a territory: the platform administrator anywhere,
 * a coordinator in the territories its organisation serves (its organisation then follows the
 * parcours it opens: elsewhere that would widen its reach beyond its territories).
 */
export function mayOpenByIntake(caller: Caller, territory: string): boolean {
  if (actsAs(caller, 'platform_admin')) return true;
  return actsAs(caller, 'coordinator') && caller.territories.includes(territory);
}
