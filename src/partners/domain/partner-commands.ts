import type { PartnerDeactivationReason } from './partner-events.js';
import type { PartnerKind, Role } from '../../access/roles.js';

/** Who acts and when; the decider never reads a clock. */
export interface PartnerCommandContext {
  now: string;
  actor: { userId?: string; partnerId?: string; roles: readonly Role[] };
}

export type PartnerCommand =
  | { type: 'RegisterPartner'; partnerId: string; name: string; kind: PartnerKind; siret: string | null; territories: string[] }
  /** Territories and kind are the platform administrator's to change (they decide what the organisation's people reach). */
  | { type: 'UpdatePartner'; name?: string; siret?: string | null; territories?: string[]; kind?: PartnerKind }
  | { type: 'DeactivatePartner'; reason: PartnerDeactivationReason }
  | { type: 'ReactivatePartner' }
  /** `memberOfPartnerId`: the partner this user already belongs to, looked up by the application. */
  | { type: 'AddMember'; userId: string; displayName: string; roles: Role[]; memberOfPartnerId: string | null }
  | { type: 'ChangeMemberRoles'; userId: string; roles: Role[] }
  | { type: 'RemoveMember'; userId: string }
  | { type: 'CreateApiKey'; keyId: string; name: string; scopes: Role[]; expiresAt: string; secretHash: string }
  | { type: 'RevokeApiKey'; keyId: string };
