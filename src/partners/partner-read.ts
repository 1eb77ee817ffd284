import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { SqlClient } from '../database/sql-client.js';
import type { PartnerKind, Role } from '../access/roles.js';

export interface PartnerView {
  id: string;
  name: string;
  kind: PartnerKind;
  siret: string | null;
  territories: string[];
  active: boolean;
  version: number;
  registeredAt: string;
  updatedAt: string;
}

export interface MemberView {
  userId: string;
  displayName: string;
  roles: Role[];
  addedAt: string;
}

export interface ApiKeyView {
  keyId: string;
  name: string;
  scopes: Role[];
  expiresAt: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface PartnerRow {
  partner_id: string;
  name: string;
  kind: PartnerKind;
  siret: string | null;
  territories: string[];
  active: boolean;
  version: number;
  registered_at: Date;
  updated_at: Date;
}

const PARTNER_COLUMNS = 'partner_id, name, kind, siret, territories, active, version, registered_at, updated_at';

function toPartner(row: PartnerRow): PartnerView {
  return {
    id: row.partner_id,
    name: row.name,
    kind: row.kind,
    siret: row.siret,
    territories: row.territories,
    active: row.active,
    version: row.version,
    registeredAt: row.registered_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export class GetPartner extends Query<PartnerView | undefined> {
  constructor(readonly partnerId: string) {
    super();
  }
}

export interface PartnerListFilter {
  kind?: PartnerKind;
  territory?: string;
  active?: boolean;
  /** Exclusive: the last name and id of the previous page. */
  after?: { name: string; id: string };
  limit: number;
}

export class ListPartners extends Query<PartnerView[]> {
  constructor(readonly filter: PartnerListFilter) {
    super();
  }
}

export class ListMembers extends Query<MemberView[]> {
  constructor(readonly partnerId: string) {
    super();
  }
}

export class ListApiKeys extends Query<ApiKeyView[]> {
  constructor(readonly partnerId: string) {
    super();
  }
}

export class GetMember extends Query<(MemberView & { partnerId: string }) | undefined> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(GetPartner)
export class GetPartnerHandler implements IQueryHandler<GetPartner> {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  async execute({ partnerId }: GetPartner): Promise<PartnerView | undefined> {
    const rows = await this.db.query<PartnerRow>(`SELECT ${PARTNER_COLUMNS} FROM partners WHERE partner_id = $1`, [partnerId]);
    return rows[0] && toPartner(rows[0]);
  }
}

@QueryHandler(ListPartners)
export class ListPartnersHandler implements IQueryHandler<ListPartners> {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  async execute({ filter }: ListPartners): Promise<PartnerView[]> {
    const rows = await this.db.query<PartnerRow>(
      `SELECT ${PARTNER_COLUMNS} FROM partners
        WHERE ($1::text IS NULL OR kind = $1)
          AND ($2::text IS NULL OR $2 = ANY(territories))
          AND ($3::boolean IS NULL OR active = $3)
          AND ($4::text IS NULL OR (name, partner_id) > ($4, $5::uuid))
        ORDER BY name, partner_id LIMIT $6`,
      [filter.kind ?? null, filter.territory ?? null, filter.active ?? null, filter.after?.name ?? null, filter.after?.id ?? null, filter.limit],
    );
    return rows.map(toPartner);
  }
}

@QueryHandler(ListMembers)
export class ListMembersHandler implements IQueryHandler<ListMembers> {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  async execute({ partnerId }: ListMembers): Promise<MemberView[]> {
    const rows = await this.db.query<{ user_id: string; display_name: string; roles: Role[]; added_at: Date }>(
      'SELECT user_id, display_name, roles, added_at FROM partner_members WHERE partner_id = $1 ORDER BY display_name, user_id',
      [partnerId],
    );
    return rows.map((row) => ({ userId: row.user_id, displayName: row.display_name, roles: row.roles, addedAt: row.added_at.toISOString() }));
  }
}

@QueryHandler(GetMember)
export class GetMemberHandler implements IQueryHandler<GetMember> {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  async execute({ userId }: GetMember): Promise<(MemberView & { partnerId: string }) | undefined> {
    const rows = await this.db.query<{ user_id: string; partner_id: string; display_name: string; roles: Role[]; added_at: Date }>(
      'SELECT user_id, partner_id, display_name, roles, added_at FROM partner_members WHERE user_id = $1',
      [userId],
    );
    const row = rows[0];
    return row && { userId: row.user_id, partnerId: row.partner_id, displayName: row.display_name, roles: row.roles, addedAt: row.added_at.toISOString() };
  }
}

@QueryHandler(ListApiKeys)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeys> {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  async execute({ partnerId }: ListApiKeys): Promise<ApiKeyView[]> {
    const rows = await this.db.query<{
      key_id: string;
      name: string;
      scopes: Role[];
      expires_at: Date;
      created_at: Date;
      created_by: string | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
    }>(
      `SELECT key_id, name, scopes, expires_at, created_at, created_by, revoked_at, last_used_at
         FROM api_keys WHERE partner_id = $1 ORDER BY created_at, key_id`,
      [partnerId],
    );
    return rows.map((row) => ({
      keyId: row.key_id,
      name: row.name,
      scopes: row.scopes,
      expiresAt: row.expires_at.toISOString(),
      createdAt: row.created_at.toISOString(),
      createdBy: row.created_by,
      revokedAt: row.revoked_at?.toISOString() ?? null,
      lastUsedAt: row.last_used_at?.toISOString() ?? null,
    }));
  }
}
