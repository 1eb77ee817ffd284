import type { PartnerEvent } from './partner-events.js';
import type { PartnerKind, Role } from '../../access/roles.js';

export interface PartnerState {
  partnerId: string;
  name: string;
  kind: PartnerKind;
  siret: string | null;
  territories: readonly string[];
  active: boolean;
  members: ReadonlyMap<string, { displayName: string; roles: readonly Role[] }>;
  apiKeys: ReadonlyMap<string, { name: string; scopes: readonly Role[]; expiresAt: string; revoked: boolean }>;
}

export function evolvePartner(state: PartnerState | null, event: PartnerEvent): PartnerState | null {
  if (event.type === 'PartnerRegistered') {
    const { partnerId, name, kind, siret, territories } = event.data;
    return { partnerId, name, kind, siret, territories, active: true, members: new Map(), apiKeys: new Map() };
  }
  // Events before registration cannot exist in a stream written by the decider: ignore them.
  if (!state) return state;
  switch (event.type) {
    case 'PartnerUpdated':
      return {
        ...state,
        name: event.data.name ?? state.name,
        kind: event.data.kind ?? state.kind,
        siret: event.data.siret === undefined ? state.siret : event.data.siret,
        territories: event.data.territories ?? state.territories,
      };
    case 'PartnerDeactivated':
      return { ...state, active: false };
    case 'PartnerReactivated':
      return { ...state, active: true };
    case 'MemberAdded':
      return { ...state, members: with_(state.members, event.data.userId, { displayName: event.data.displayName, roles: event.data.roles }) };
    case 'MemberRolesChanged': {
      const member = state.members.get(event.data.userId);
      return member ? { ...state, members: with_(state.members, event.data.userId, { ...member, roles: event.data.roles }) } : state;
    }
    case 'MemberRemoved':
      return { ...state, members: without(state.members, event.data.userId) };
    case 'ApiKeyCreated': {
      const { keyId, name, scopes, expiresAt } = event.data;
      return { ...state, apiKeys: with_(state.apiKeys, keyId, { name, scopes, expiresAt, revoked: false }) };
    }
    case 'ApiKeyRevoked': {
      const key = state.apiKeys.get(event.data.keyId);
      return key ? { ...state, apiKeys: with_(state.apiKeys, event.data.keyId, { ...key, revoked: true }) } : state;
    }
    default: {
      const unexpected: never = event;
      throw new Error(`unknown partner event ${JSON.stringify(unexpected)}`);
    }
  }
}

function with_<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value);
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}
