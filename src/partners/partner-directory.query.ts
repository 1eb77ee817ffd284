import { Inject, Injectable } from '@nestjs/common';
import { SqlClient, type SqlExecutor } from '../database/sql-client.js';

export interface PartnerName {
  partnerId: string;
  name: string;
}

export interface Membership {
  partnerId: string;
  /** As stored. */
  roles: string[];
  partnerActive: boolean;
}

/** A member as the local sign-in page lists them (demo/local mode). */
export interface Persona {
  userId: string;
  displayName: string;
  /** As stored: the page shows those it knows (isRole). */
  roles: string[];
  partnerName: string;
}

/** Reads `partners` and `partner_members` (partner-projection.ts): names to show, members to sign in as. */
@Injectable()
export class PartnerDirectoryQueries {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** Every organisation's name by id, the inactive ones too (a report labels what happened then). */
  namesById(): Promise<Map<string, string>> {
    return partnerNamesById(this.db);
  }

  /** The active organisations, by name (a filter's choices). */
  async activeByName(): Promise<PartnerName[]> {
    const rows = await this.db.query<{ partner_id: string; name: string }>('SELECT partner_id, name FROM partners WHERE active ORDER BY name');
    return rows.map((row) => ({ partnerId: row.partner_id, name: row.name }));
  }

  /** Whether the organisation is active; undefined when no such organisation is registered. */
  async activeOf(partnerId: string): Promise<boolean | undefined> {
    const rows = await this.db.query<{ active: boolean }>('SELECT active FROM partners WHERE partner_id = $1', [partnerId]);
    return rows[0]?.active;
  }

  /** The organisation a person is a member of, with their roles; undefined when they are no member. */
  async membershipOf(userId: string): Promise<Membership | undefined> {
    const rows = await this.db.query<{ partner_id: string; roles: string[]; active: boolean }>(
      'SELECT m.partner_id, m.roles, p.active FROM partner_members m JOIN partners p ON p.partner_id = m.partner_id WHERE m.user_id = $1',
      [userId],
    );
    const row = rows[0];
    return row && { partnerId: row.partner_id, roles: row.roles, partnerActive: row.active };
  }

  /** The members of active organisations one may sign in as in demo/local mode, by organisation then name (the first 500). */
  async personas(): Promise<Persona[]> {
    const rows = await this.db.query<{ user_id: string; display_name: string; roles: string[]; partner_name: string }>(
      `SELECT m.user_id, m.display_name, m.roles, p.name AS partner_name
         FROM partner_members m JOIN partners p ON p.partner_id = m.partner_id
        WHERE p.active ORDER BY p.name, m.display_name, m.user_id LIMIT 500`,
    );
    return rows.map((row) => ({ userId: row.user_id, displayName: row.display_name, roles: row.roles, partnerName: row.partner_name }));
  }
}

/** Every organisation's name by id, the inactive ones too: for code that holds a connection rather than this class (the audit, its CLI). */
export async function partnerNamesById(db: SqlExecutor): Promise<Map<string, string>> {
  const rows = await db.query<{ partner_id: string; name: string }>('SELECT partner_id, name FROM partners');
  return new Map(rows.map((row) => [row.partner_id, row.name]));
}
