import type { PartnerCommand, PartnerCommandContext } from './partner-commands.js';
import { PartnerRuleError, decidePartner } from './partner-decider.js';
import type { PartnerEvent } from './partner-events.js';
import { type PartnerState, evolvePartner } from './partner-state.js';
import type { PartnerKind, Role } from '../../access/roles.js';

const PARTNER = '0b9d3c1e-51b6-4a59-8d0f-5f0a3f6a1c01';
const OTHER_PARTNER = '7c0a4f0e-2b7d-4c1a-9e1f-3d2b1a0c9e02';
const NOW = '2026-03-01T09:00:00.000Z';

const asPlatformAdmin: PartnerCommandContext = { now: NOW, actor: { userId: 'admin', roles: ['platform_admin'] } };
const asPartnerAdmin: PartnerCommandContext = { now: NOW, actor: { userId: 'local-admin', partnerId: PARTNER, roles: ['partner_admin'] } };

const registered: PartnerEvent = {
  type: 'PartnerRegistered',
  data: { partnerId: PARTNER, name: 'Mission locale de Thiers', kind: 'mission_locale', siret: '73282932000074', territories: ['cc-thiers-dore-et-montagne'] },
};
const aReferent: PartnerEvent = { type: 'MemberAdded', data: { userId: 'sub-referent', displayName: 'Camille Martin', roles: ['referent'] } };
const aKey: PartnerEvent = {
  type: 'ApiKeyCreated',
  data: { keyId: 'key-1', name: 'Logiciel métier', scopes: ['referent'], expiresAt: '2026-12-31T00:00:00.000Z', secretHash: 'ab'.repeat(32) },
};

function given(...events: PartnerEvent[]): PartnerState | null {
  return events.reduce<PartnerState | null>(evolvePartner, null);
}

function when(state: PartnerState | null, command: PartnerCommand, context = asPlatformAdmin): PartnerEvent[] {
  return decidePartner(command, state, context);
}

function rejects(state: PartnerState | null, command: PartnerCommand, code: string, context = asPlatformAdmin): void {
  let error: unknown;
  try {
    decidePartner(command, state, context);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(PartnerRuleError);
  expect((error as PartnerRuleError).code).toBe(code);
}

describe('the partner decider', () => {
  describe('RegisterPartner', () => {
    const register: PartnerCommand = {
      type: 'RegisterPartner',
      partnerId: PARTNER,
      name: '  Mission locale de Thiers ',
      kind: 'mission_locale',
      siret: '73282932000074',
      territories: ['cc-thiers-dore-et-montagne', 'cc-thiers-dore-et-montagne'],
    };

    it('registers a new organisation, trimmed and without duplicate territories', () => {
      expect(when(null, register)).toEqual([registered]);
    });

    it('refuses a second registration, a bad SIRET, an unknown kind or territory, no territory, an empty name', () => {
      rejects(given(registered), register, 'partner_already_registered');
      rejects(null, { ...register, siret: '73282932000075' }, 'invalid_siret');
      rejects(null, { ...register, kind: 'bank' as never }, 'invalid_kind');
      rejects(null, { ...register, territories: ['paris'] }, 'unknown_territory');
      rejects(null, { ...register, territories: [] }, 'no_territory');
      rejects(null, { ...register, name: '   ' }, 'invalid_name');
    });

    it('accepts an organisation without SIRET', () => {
      expect(when(null, { ...register, siret: null })[0]).toMatchObject({ data: { siret: null } });
    });
  });

  it('refuses any command on an organisation that is not registered', () => {
    rejects(null, { type: 'DeactivatePartner', reason: 'other' }, 'partner_not_found');
  });

  describe('UpdatePartner', () => {
    it('records only what changed, and nothing when nothing changed', () => {
      const state = given(registered);
      expect(when(state, { type: 'UpdatePartner', name: 'ML Thiers', territories: ['cc-thiers-dore-et-montagne'] })).toEqual([
        { type: 'PartnerUpdated', data: { name: 'ML Thiers' } },
      ]);
      expect(when(state, { type: 'UpdatePartner', name: 'Mission locale de Thiers', siret: '73282932000074' })).toEqual([]);
    });

    it('validates the new values', () => {
      rejects(given(registered), { type: 'UpdatePartner', siret: '123' }, 'invalid_siret');
      rejects(given(registered), { type: 'UpdatePartner', territories: ['nowhere'] }, 'unknown_territory');
    });
  });

  describe('UpdatePartner by the organisation\'s own admin', () => {
    it('changes its name and SIRET', () => {
      expect(when(given(registered), { type: 'UpdatePartner', name: 'ML Thiers', siret: null }, asPartnerAdmin)).toEqual([
        { type: 'PartnerUpdated', data: { name: 'ML Thiers', siret: null } },
      ]);
    });

    it('does not widen its territories nor change its kind: a platform admin does', () => {
      const widened: PartnerCommand = { type: 'UpdatePartner', territories: ['cc-thiers-dore-et-montagne', 'cc-billom-communaute'] };
      rejects(given(registered), widened, 'field_reserved_to_platform_admin', asPartnerAdmin);
      rejects(given(registered), { type: 'UpdatePartner', kind: 'departement' }, 'field_reserved_to_platform_admin', asPartnerAdmin);
      rejects(given(registered), { type: 'UpdatePartner', name: 'ML Thiers', territories: ['cc-billom-communaute'] }, 'field_reserved_to_platform_admin', asPartnerAdmin);
      expect(when(given(registered), widened)).toEqual([{ type: 'PartnerUpdated', data: { territories: ['cc-thiers-dore-et-montagne', 'cc-billom-communaute'] } }]);
      expect(when(given(registered), { type: 'UpdatePartner', kind: 'association' })).toEqual([{ type: 'PartnerUpdated', data: { kind: 'association' } }]);
    });

    it('may send back the territories and kind it read, unchanged', () => {
      expect(when(given(registered), { type: 'UpdatePartner', name: 'ML Thiers', territories: ['cc-thiers-dore-et-montagne'], kind: 'mission_locale' }, asPartnerAdmin)).toEqual([
        { type: 'PartnerUpdated', data: { name: 'ML Thiers' } },
      ]);
    });

    it('refuses an unknown kind', () => {
      rejects(given(registered), { type: 'UpdatePartner', kind: 'bank' as PartnerKind }, 'invalid_kind');
    });
  });

  describe('deactivation', () => {
    it('deactivates once and reactivates once', () => {
      expect(when(given(registered), { type: 'DeactivatePartner', reason: 'convention_ended' })).toEqual([
        { type: 'PartnerDeactivated', data: { reason: 'convention_ended' } },
      ]);
      const inactive = given(registered, { type: 'PartnerDeactivated', data: { reason: 'merged' } });
      expect(inactive?.active).toBe(false);
      expect(when(inactive, { type: 'DeactivatePartner', reason: 'other' })).toEqual([]);
      expect(when(inactive, { type: 'ReactivatePartner' })).toEqual([{ type: 'PartnerReactivated', data: {} }]);
      expect(when(given(registered), { type: 'ReactivatePartner' })).toEqual([]);
    });

    it('takes no new member nor API key while inactive', () => {
      const inactive = given(registered, { type: 'PartnerDeactivated', data: { reason: 'merged' } });
      rejects(inactive, { type: 'AddMember', userId: 'u', displayName: 'U', roles: ['referent'], memberOfPartnerId: null }, 'partner_inactive');
      rejects(
        inactive,
        { type: 'CreateApiKey', keyId: 'k', name: 'k', scopes: ['referent'], expiresAt: '2026-06-01T00:00:00Z', secretHash: 'x' },
        'partner_inactive',
      );
    });
  });

  describe('members', () => {
    const add = (roles: Role[], memberOfPartnerId: string | null = null): PartnerCommand => ({
      type: 'AddMember',
      userId: 'sub-referent',
      displayName: 'Camille Martin',
      roles,
      memberOfPartnerId,
    });

    it('adds a caseworker with roles, and a retry with the same roles is a no-op', () => {
      expect(when(given(registered), add(['referent']), asPartnerAdmin)).toEqual([aReferent]);
      expect(when(given(registered, aReferent), add(['referent']), asPartnerAdmin)).toEqual([]);
      rejects(given(registered, aReferent), add(['referent', 'orientation_manager']), 'member_already_exists', asPartnerAdmin);
    });

    it('refuses someone who belongs to another organisation, unknown roles and no role', () => {
      rejects(given(registered), add(['referent'], OTHER_PARTNER), 'member_of_another_partner');
      rejects(given(registered), add(['superuser' as Role]), 'invalid_roles');
      rejects(given(registered), add([]), 'invalid_roles');
    });

    it('lets only a platform admin grant or take away Département-level roles', () => {
      for (const role of ['platform_admin', 'coordinator', 'auditor', 'dpo'] as Role[]) {
        rejects(given(registered), add([role]), 'role_reserved_to_platform_admin', asPartnerAdmin);
        expect(when(given(registered), add([role]))).toHaveLength(1);
      }
      const coordinator = given(registered, { type: 'MemberAdded', data: { userId: 'sub-referent', displayName: 'C', roles: ['coordinator'] } });
      rejects(coordinator, { type: 'ChangeMemberRoles', userId: 'sub-referent', roles: ['referent'] }, 'role_reserved_to_platform_admin', asPartnerAdmin);
      rejects(coordinator, { type: 'RemoveMember', userId: 'sub-referent' }, 'role_reserved_to_platform_admin', asPartnerAdmin);
    });

    it('never puts auditor with a caseworker role, on adding a member nor on changing its roles, whoever asks', () => {
      for (const caseworker of ['referent', 'orientation_manager', 'coordinator'] as Role[]) {
        rejects(given(registered), add(['auditor', caseworker]), 'incompatible_roles');
        rejects(given(registered), add(['auditor', caseworker]), 'incompatible_roles', asPartnerAdmin);
        const auditor = given(registered, { type: 'MemberAdded', data: { userId: 'sub-referent', displayName: 'A', roles: ['auditor'] } });
        rejects(auditor, { type: 'ChangeMemberRoles', userId: 'sub-referent', roles: ['auditor', caseworker] }, 'incompatible_roles');
      }
      expect(when(given(registered), add(['auditor', 'dpo']))).toHaveLength(1);
    });

    it('changes roles, recording the previous ones, and ignores an unchanged set', () => {
      const state = given(registered, aReferent);
      expect(when(state, { type: 'ChangeMemberRoles', userId: 'sub-referent', roles: ['referent', 'partner_admin'] }, asPartnerAdmin)).toEqual([
        { type: 'MemberRolesChanged', data: { userId: 'sub-referent', roles: ['referent', 'partner_admin'], previousRoles: ['referent'] } },
      ]);
      expect(when(state, { type: 'ChangeMemberRoles', userId: 'sub-referent', roles: ['referent'] }, asPartnerAdmin)).toEqual([]);
      rejects(state, { type: 'ChangeMemberRoles', userId: 'nobody', roles: ['referent'] }, 'member_not_found');
    });

    it('removes a member once', () => {
      const state = given(registered, aReferent);
      expect(when(state, { type: 'RemoveMember', userId: 'sub-referent' }, asPartnerAdmin)).toEqual([{ type: 'MemberRemoved', data: { userId: 'sub-referent' } }]);
      expect(when(given(registered, aReferent, { type: 'MemberRemoved', data: { userId: 'sub-referent' } }), { type: 'RemoveMember', userId: 'sub-referent' })).toEqual([]);
    });
  });

  describe('API keys', () => {
    const create = (overrides: Partial<Extract<PartnerCommand, { type: 'CreateApiKey' }>> = {}): PartnerCommand => ({
      type: 'CreateApiKey',
      keyId: 'key-1',
      name: 'Logiciel métier',
      scopes: ['referent'],
      expiresAt: '2026-12-31T00:00:00.000Z',
      secretHash: 'ab'.repeat(32),
      ...overrides,
    });

    it('creates a scoped key that expires', () => {
      expect(when(given(registered), create(), asPartnerAdmin)).toEqual([aKey]);
    });

    it('grants a key what the partner admin may grant its own staff, and Département-level scopes by a platform admin only', () => {
      expect(when(given(registered), create({ scopes: ['referent', 'orientation_manager'] }), asPartnerAdmin)).toHaveLength(1);
      for (const scope of ['coordinator', 'auditor'] as Role[]) {
        rejects(given(registered), create({ scopes: [scope] }), 'role_reserved_to_platform_admin', asPartnerAdmin);
        rejects(given(registered), create({ scopes: ['referent', scope] }), scope === 'auditor' ? 'incompatible_roles' : 'role_reserved_to_platform_admin', asPartnerAdmin);
        expect(when(given(registered), create({ scopes: [scope] }))).toHaveLength(1);
      }
    });

    it('never scopes a key to auditor with a caseworker role, not even for a platform admin', () => {
      for (const caseworker of ['referent', 'orientation_manager', 'coordinator'] as Role[]) {
        rejects(given(registered), create({ scopes: ['auditor', caseworker] }), 'incompatible_roles');
      }
    });

    it('refuses administration scopes, no scope, a past or too distant expiry, a reused id', () => {
      rejects(given(registered), create({ scopes: ['partner_admin'] }), 'invalid_scopes');
      rejects(given(registered), create({ scopes: ['dpo'] }), 'invalid_scopes');
      rejects(given(registered), create({ scopes: ['platform_admin'] }), 'invalid_scopes', asPartnerAdmin);
      rejects(given(registered), create({ scopes: [] }), 'invalid_scopes');
      rejects(given(registered), create({ expiresAt: '2026-02-01T00:00:00Z' }), 'invalid_expiry');
      rejects(given(registered), create({ expiresAt: '2029-01-01T00:00:00Z' }), 'invalid_expiry');
      rejects(given(registered), create({ expiresAt: 'soon' }), 'invalid_expiry');
      rejects(given(registered, aKey), create(), 'api_key_id_already_used');
    });

    it('revokes a key once and refuses an unknown key', () => {
      expect(when(given(registered, aKey), { type: 'RevokeApiKey', keyId: 'key-1' })).toEqual([{ type: 'ApiKeyRevoked', data: { keyId: 'key-1' } }]);
      expect(when(given(registered, aKey, { type: 'ApiKeyRevoked', data: { keyId: 'key-1' } }), { type: 'RevokeApiKey', keyId: 'key-1' })).toEqual([]);
      rejects(given(registered), { type: 'RevokeApiKey', keyId: 'nope' }, 'api_key_not_found');
    });
  });

  describe('evolve', () => {
    it('folds every event into the state', () => {
      const state = given(
        registered,
        { type: 'PartnerUpdated', data: { name: 'ML Thiers', territories: ['cc-thiers-dore-et-montagne', 'cc-billom-communaute'] } },
        { type: 'PartnerUpdated', data: { kind: 'association' } },
        aReferent,
        { type: 'MemberRolesChanged', data: { userId: 'sub-referent', roles: ['referent', 'partner_admin'], previousRoles: ['referent'] } },
        { type: 'MemberAdded', data: { userId: 'sub-2', displayName: 'B', roles: ['referent'] } },
        { type: 'MemberRemoved', data: { userId: 'sub-2' } },
        aKey,
        { type: 'ApiKeyRevoked', data: { keyId: 'key-1' } },
        { type: 'PartnerDeactivated', data: { reason: 'other' } },
      );
      expect(state).toMatchObject({ name: 'ML Thiers', kind: 'association', territories: ['cc-thiers-dore-et-montagne', 'cc-billom-communaute'], active: false });
      expect([...state!.members.entries()]).toEqual([['sub-referent', { displayName: 'Camille Martin', roles: ['referent', 'partner_admin'] }]]);
      expect(state!.apiKeys.get('key-1')).toMatchObject({ revoked: true });
    });
  });
});
