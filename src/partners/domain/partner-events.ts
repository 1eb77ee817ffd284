import type { PartnerKind, Role } from '../../access/roles.js';

/** Events of a partner organisation's stream `partner-<uuid>` (stored contract: never rename). */
export type PartnerEvent =
  | { type: 'PartnerRegistered'; data: PartnerRegistered }
  | { type: 'PartnerUpdated'; data: PartnerUpdated }
  | { type: 'PartnerDeactivated'; data: { reason: PartnerDeactivationReason } }
  | { type: 'PartnerReactivated'; data: Record<string, never> }
  | { type: 'MemberAdded'; data: MemberAdded }
  | { type: 'MemberRolesChanged'; data: MemberRolesChanged }
  | { type: 'MemberRemoved'; data: { userId: string } }
  | { type: 'ApiKeyCreated'; data: ApiKeyCreated }
  | { type: 'ApiKeyRevoked'; data: { keyId: string } };

export type PartnerEventType = PartnerEvent['type'];

export interface PartnerRegistered {
  partnerId: string;
  name: string;
  kind: PartnerKind;
  siret: string | null;
  territories: string[];
}

/** Only the fields that changed. */
export interface PartnerUpdated {
  name?: string;
  siret?: string | null;
  territories?: string[];
  /** Since the kind became changeable; absent from older events. */
  kind?: PartnerKind;
}

export type PartnerDeactivationReason = 'convention_ended' | 'merged' | 'created_in_error' | 'other';

export interface MemberAdded {
  userId: string;
  /** A caseworker's professional name, shown to colleagues; not beneficiary data. */
  displayName: string;
  roles: Role[];
}

export interface MemberRolesChanged {
  userId: string;
  roles: Role[];
  previousRoles: Role[];
}

export interface ApiKeyCreated {
  keyId: string;
  name: string;
  scopes: Role[];
  expiresAt: string;
  /** sha256 of the secret, hex: the secret itself is shown once and never stored. */
  secretHash: string;
}
