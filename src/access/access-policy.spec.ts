import type { Role } from './roles.js';
import { type Caller, actingRolesFor, callerOf, seesIdentity } from './caller.js';
import { AUDITORS, CASEWORKERS, READERS, RIGHTS_OFFICERS } from './functions.js';
import { managesOrganisation } from './grant-rules.js';
import { type ParcoursFacts, type ParcoursPurpose, mayOpenByIntake, parcoursCondition, reachesParcours, reportTerritories } from './parcours-rule.js';

const MISSION_LOCALE = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const DEPARTEMENT = '0b9e4f1a-2c3d-4e5f-8a7b-1c2d3e4f5a6b';
const THIERS = 'cc-thiers-dore-et-montagne';
const BILLOM = 'cc-billom-communaute';

const at = (partnerId: string, actingRoles: Role[], territories: string[] = []): Caller => callerOf({ partnerId, territories }, actingRoles);

/** A parcours in Billom followed by the mission locale only. */
const followedByTheMissionLocale: ParcoursFacts = { referentPartnerId: null, organismeReferentId: null, followUpGroup: [MISSION_LOCALE], territory: BILLOM, archived: false };

describe('the roles a request acts under', () => {
  it('is the first accepted role held, pooled with the other accepted roles that see identities', () => {
    expect(actingRolesFor(CASEWORKERS, ['coordinator', 'referent'])).toEqual(['referent', 'coordinator']);
    expect(actingRolesFor(READERS, ['dpo', 'coordinator'])).toEqual(['coordinator', 'dpo']);
  });

  it('never pools an auditor with a caseworker: whoever holds both acts as one or the other', () => {
    expect(actingRolesFor(READERS, ['auditor', 'referent'])).toEqual(['referent']);
    expect(actingRolesFor(AUDITORS, ['auditor', 'referent'])).toEqual(['auditor']);
  });

  it('puts the DPO before the auditor on reads, and a role outside the endpoint nowhere', () => {
    expect(actingRolesFor(READERS, ['auditor', 'dpo'])).toEqual(['dpo']);
    expect(actingRolesFor(RIGHTS_OFFICERS, ['platform_admin', 'partner_admin'])).toEqual(['platform_admin']);
    expect(actingRolesFor(READERS, ['partner_admin', 'platform_admin'])).toEqual([]);
    expect(actingRolesFor(undefined, ['platform_admin'])).toEqual([]);
  });
});

describe('who sees the identity', () => {
  it('is an allow-list of acting roles: auditors, administrators and no role at all do not', () => {
    for (const role of ['referent', 'orientation_manager', 'coordinator', 'dpo'] as Role[]) expect(seesIdentity(at(MISSION_LOCALE, [role]))).toBe(true);
    for (const role of ['auditor', 'partner_admin', 'platform_admin'] as Role[]) expect(seesIdentity(at(MISSION_LOCALE, [role]))).toBe(false);
    expect(seesIdentity(at(MISSION_LOCALE, []))).toBe(false);
  });
});

describe('the parcours rule', () => {
  const reaches = (caller: Caller, purpose: ParcoursPurpose, facts: Partial<ParcoursFacts> = {}) => reachesParcours(caller, purpose, { ...followedByTheMissionLocale, ...facts });

  it("lets the organisations that follow a parcours reach it, through its référent, its orientation or its group", () => {
    expect(reaches(at(MISSION_LOCALE, ['referent']), 'record')).toBe(true);
    expect(reaches(at(DEPARTEMENT, ['referent']), 'record', { referentPartnerId: DEPARTEMENT })).toBe(true);
    expect(reaches(at(DEPARTEMENT, ['orientation_manager']), 'read', { organismeReferentId: DEPARTEMENT })).toBe(true);
    expect(reaches(at(DEPARTEMENT, ['referent']), 'read')).toBe(false);
  });

  it('lets a coordinator reach the parcours of the territories its organisation serves, a référent not', () => {
    expect(reaches(at(DEPARTEMENT, ['coordinator'], [BILLOM]), 'record')).toBe(true);
    expect(reaches(at(DEPARTEMENT, ['coordinator'], [THIERS]), 'record')).toBe(false);
    expect(reaches(at(DEPARTEMENT, ['referent'], [BILLOM]), 'record')).toBe(false);
  });

  it('lets auditors and the DPO read every parcours, archived ones included, and nobody else read an archived one', () => {
    for (const role of ['auditor', 'dpo'] as Role[]) expect(reaches(at(DEPARTEMENT, [role]), 'read', { archived: true })).toBe(true);
    expect(reaches(at(MISSION_LOCALE, ['referent']), 'read', { archived: true })).toBe(false);
    expect(reaches(at(DEPARTEMENT, ['coordinator'], [BILLOM]), 'read', { archived: true })).toBe(false);
  });

  it('lets the DPO and the platform admin act on the rights of every parcours, and auditors record nothing', () => {
    for (const role of ['dpo', 'platform_admin'] as Role[]) expect(reaches(at(DEPARTEMENT, [role]), 'rights', { archived: true })).toBe(true);
    expect(reaches(at(DEPARTEMENT, ['auditor']), 'record')).toBe(false);
    expect(reaches(at(DEPARTEMENT, ['auditor']), 'rights')).toBe(false);
    expect(reaches(at(DEPARTEMENT, ['dpo']), 'record')).toBe(false);
  });

  it('gives nothing to a role it does not name, nor to a request acting under no role', () => {
    expect(reaches(at(MISSION_LOCALE, ['partner_admin']), 'read')).toBe(false);
    expect(reaches(at(MISSION_LOCALE, []), 'read')).toBe(false);
    expect(parcoursCondition(at(MISSION_LOCALE, ['partner_admin']), 'read', 1)).toEqual({ sql: 'FALSE', params: [] });
  });

  it('names in its SQL only the parameters its clauses use', () => {
    expect(parcoursCondition(at(DEPARTEMENT, ['auditor']), 'read', 3)).toEqual({ sql: '((TRUE))', params: [] });
    const coordinator = parcoursCondition(at(DEPARTEMENT, ['coordinator'], [THIERS]), 'record', 3);
    expect(coordinator.params).toEqual([DEPARTEMENT, [THIERS]]);
    expect(coordinator.sql).toContain('$3::uuid');
    expect(coordinator.sql).toContain('$4::text[]');
  });

  it('names in reports every territory to an auditor, its own to a coordinator, none to anyone else', () => {
    expect(reportTerritories(at(DEPARTEMENT, ['auditor'], [THIERS]))).toBe('all');
    expect(reportTerritories(at(DEPARTEMENT, ['coordinator'], [THIERS]))).toEqual([THIERS]);
    expect(reportTerritories(at(DEPARTEMENT, ['referent'], [THIERS]))).toEqual([]);
  });
});

describe('who manages an organisation', () => {
  it('is a platform admin for every one, a partner admin for its own', () => {
    expect(managesOrganisation(at(DEPARTEMENT, ['platform_admin']), MISSION_LOCALE)).toBe(true);
    expect(managesOrganisation(at(MISSION_LOCALE, ['partner_admin']), MISSION_LOCALE.toUpperCase())).toBe(true);
    expect(managesOrganisation(at(MISSION_LOCALE, ['partner_admin']), DEPARTEMENT)).toBe(false);
    expect(managesOrganisation(at(MISSION_LOCALE, ['referent']), MISSION_LOCALE)).toBe(false);
  });

  it('lets an intake open parcours where the importer may: a coordinator in its territories, the platform administrator anywhere, nobody else', () => {
    const partner = '0b9e4f1a-2c3d-4e5f-8a7b-1c2d3e4f5a6b';
    expect(mayOpenByIntake(at(partner, ['coordinator'], ['cc-thiers-dore-et-montagne']), 'cc-thiers-dore-et-montagne')).toBe(true);
    expect(mayOpenByIntake(at(partner, ['coordinator'], ['cc-thiers-dore-et-montagne']), 'clermont-auvergne-metropole')).toBe(false);
    expect(mayOpenByIntake(at(partner, ['platform_admin']), 'clermont-auvergne-metropole')).toBe(true);
    for (const role of ['referent', 'orientation_manager', 'auditor', 'dpo', 'partner_admin'] as Role[]) {
      expect(mayOpenByIntake(at(partner, [role], ['cc-thiers-dore-et-montagne']), 'cc-thiers-dore-et-montagne')).toBe(false);
    }
  });
});
