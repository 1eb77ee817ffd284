import { type GrantRefusal, grantRefusal, organisationChangeRefusal, removalRefusal } from '../../access/grant-rules.js';
import { isKnownTerritory } from '../territories/territories.js';
import type { PartnerCommand, PartnerCommandContext } from './partner-commands.js';
import type { PartnerEvent } from './partner-events.js';
import type { PartnerState } from './partner-state.js';
import { PARTNER_KINDS, type PartnerKind, type Role, isRole } from '../../access/roles.js';
import { isValidSiret } from './siret.js';

export type PartnerRuleCode =
  | 'partner_not_found'
  | 'partner_already_registered'
  | 'partner_inactive'
  | 'invalid_name'
  | 'invalid_kind'
  | 'invalid_siret'
  | 'unknown_territory'
  | 'no_territory'
  | 'invalid_roles'
  | 'role_reserved_to_platform_admin'
  | 'incompatible_roles'
  | 'field_reserved_to_platform_admin'
  | 'member_of_another_partner'
  | 'member_already_exists'
  | 'member_not_found'
  | 'invalid_scopes'
  | 'invalid_expiry'
  | 'api_key_not_found'
  | 'api_key_id_already_used';

export class PartnerRuleError extends Error {
  /** The family the HTTP edge answers by (http/problem.ts maps codes, never classes). */
  readonly rule = 'partner';

  constructor(readonly code: PartnerRuleCode, message: string) {
    super(message);
    this.name = 'PartnerRuleError';
  }
}

const MAX_API_KEY_LIFETIME_MS = 2 * 365 * 24 * 3600 * 1000;

/** decide(command, state) → events: the rules of partner organisations, pure. */
export function decidePartner(command: PartnerCommand, state: PartnerState | null, context: PartnerCommandContext): PartnerEvent[] {
  if (command.type === 'RegisterPartner') {
    if (state) throw new PartnerRuleError('partner_already_registered', 'this organisation is already registered');
    checkName(command.name);
    checkKind(command.kind);
    checkSiret(command.siret);
    checkTerritories(command.territories);
    const { partnerId, name, kind, siret, territories } = command;
    return [{ type: 'PartnerRegistered', data: { partnerId, name: name.trim(), kind, siret, territories: unique(territories) } }];
  }
  if (!state) throw new PartnerRuleError('partner_not_found', 'no such organisation');

  switch (command.type) {
    case 'UpdatePartner': {
      const changes: { name?: string; siret?: string | null; territories?: string[]; kind?: PartnerKind } = {};
      if (command.name !== undefined && command.name.trim() !== state.name) {
        checkName(command.name);
        changes.name = command.name.trim();
      }
      if (command.siret !== undefined && command.siret !== state.siret) {
        checkSiret(command.siret);
        changes.siret = command.siret;
      }
      if (command.territories !== undefined && !sameSet(command.territories, state.territories)) {
        checkTerritories(command.territories);
        changes.territories = unique(command.territories);
      }
      if (command.kind !== undefined && command.kind !== state.kind) {
        checkKind(command.kind);
        changes.kind = command.kind;
      }
      // Only what changes is judged: a client sending back the territories it read is no grab.
      refuse(organisationChangeRefusal(context.actor.roles, Object.keys(changes)));
      return Object.keys(changes).length ? [{ type: 'PartnerUpdated', data: changes }] : [];
    }
    case 'DeactivatePartner':
      return state.active ? [{ type: 'PartnerDeactivated', data: { reason: command.reason } }] : [];
    case 'ReactivatePartner':
      return state.active ? [] : [{ type: 'PartnerReactivated', data: {} }];
    case 'AddMember': {
      requireActive(state);
      const roles = checkRoles(command.roles, context);
      if (command.memberOfPartnerId && command.memberOfPartnerId !== state.partnerId) {
        throw new PartnerRuleError('member_of_another_partner', 'this person already belongs to another organisation');
      }
      const existing = state.members.get(command.userId);
      if (existing) {
        // A retried request: same person with the same roles is already done.
        if (sameSet(existing.roles, roles)) return [];
        throw new PartnerRuleError('member_already_exists', 'this person is already a member: change their roles instead');
      }
      if (!command.displayName.trim()) throw new PartnerRuleError('invalid_name', 'a member needs a display name');
      return [{ type: 'MemberAdded', data: { userId: command.userId, displayName: command.displayName.trim(), roles } }];
    }
    case 'ChangeMemberRoles': {
      const member = state.members.get(command.userId);
      if (!member) throw new PartnerRuleError('member_not_found', 'no such member');
      const roles = checkRoles(command.roles, context);
      refuse(removalRefusal(context.actor.roles, member.roles.filter((role) => !roles.includes(role))));
      if (sameSet(member.roles, roles)) return [];
      return [{ type: 'MemberRolesChanged', data: { userId: command.userId, roles, previousRoles: [...member.roles] } }];
    }
    case 'RemoveMember': {
      const member = state.members.get(command.userId);
      if (!member) return [];
      refuse(removalRefusal(context.actor.roles, member.roles));
      return [{ type: 'MemberRemoved', data: { userId: command.userId } }];
    }
    case 'CreateApiKey': {
      requireActive(state);
      if (state.apiKeys.has(command.keyId)) throw new PartnerRuleError('api_key_id_already_used', 'this key id is taken');
      if (!command.name.trim()) throw new PartnerRuleError('invalid_name', 'an API key needs a name');
      if (command.scopes.length === 0 || !command.scopes.every(isRole)) throw new PartnerRuleError('invalid_scopes', 'an API key is scoped to one or more known roles');
      // A key is granted roles as a member is: by the same rules.
      refuse(grantRefusal(context.actor.roles, command.scopes, 'api_key'));
      const expires = Date.parse(command.expiresAt);
      const now = Date.parse(context.now);
      if (!Number.isFinite(expires) || expires <= now || expires - now > MAX_API_KEY_LIFETIME_MS) {
        throw new PartnerRuleError('invalid_expiry', 'an API key expires in the future, within two years');
      }
      const { keyId, name, scopes, secretHash } = command;
      return [{ type: 'ApiKeyCreated', data: { keyId, name: name.trim(), scopes: unique(scopes), expiresAt: new Date(expires).toISOString(), secretHash } }];
    }
    case 'RevokeApiKey': {
      const key = state.apiKeys.get(command.keyId);
      if (!key) throw new PartnerRuleError('api_key_not_found', 'no such API key');
      return key.revoked ? [] : [{ type: 'ApiKeyRevoked', data: { keyId: command.keyId } }];
    }
    default: {
      const unexpected: never = command;
      throw new Error(`unknown partner command ${JSON.stringify(unexpected)}`);
    }
  }
}

function requireActive(state: PartnerState): void {
  if (!state.active) throw new PartnerRuleError('partner_inactive', 'this organisation is inactive');
}

function checkKind(kind: string): void {
  if (!(PARTNER_KINDS as readonly string[]).includes(kind)) throw new PartnerRuleError('invalid_kind', `unknown kind ${kind}`);
}

function checkName(name: string): void {
  if (!name.trim() || name.trim().length > 200) throw new PartnerRuleError('invalid_name', 'a name has 1 to 200 characters');
}

function checkSiret(siret: string | null): void {
  if (siret !== null && !isValidSiret(siret)) throw new PartnerRuleError('invalid_siret', 'the SIRET is not valid (14 digits, checksum)');
}

function checkTerritories(territories: readonly string[]): void {
  if (territories.length === 0) throw new PartnerRuleError('no_territory', 'an organisation serves at least one territory');
  const unknown = territories.filter((code) => !isKnownTerritory(code));
  if (unknown.length) throw new PartnerRuleError('unknown_territory', `unknown territory: ${unknown.join(', ')}`);
}

/** Known roles, that the actor may grant to a member (src/access/grant-rules.ts). */
function checkRoles(roles: readonly string[], context: PartnerCommandContext): Role[] {
  if (roles.length === 0 || !roles.every(isRole)) throw new PartnerRuleError('invalid_roles', 'roles must be chosen among the known roles');
  const valid = unique(roles as Role[]);
  refuse(grantRefusal(context.actor.roles, valid, 'member'));
  return valid;
}

function refuse(refusal: GrantRefusal | null): void {
  if (refusal) throw new PartnerRuleError(refusal.code, refusal.message);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((value) => left.has(value));
}
