import type { SqlExecutor } from '../../src/database/sql-client.js';

/**
 * The tables a write request changes, in the transaction of its events: a refused request must
 * leave every count as it was. Reads write the access journal (a refused read is journaled too),
 * and asynchronous projections write their read models later: neither is here.
 */
export const WRITTEN_TABLES = ['events', 'personal_data_keys', 'partners', 'partner_members', 'api_keys', 'idempotency_keys', 'parcours_details', 'parcours_contacts', 'parcours_appointments'] as const;

export type RowCounts = Record<(typeof WRITTEN_TABLES)[number], number>;

/** One statement, so that the counts are of one snapshot. */
export async function writtenRows(db: SqlExecutor): Promise<RowCounts> {
  const [row] = await db.query<RowCounts>(`SELECT ${WRITTEN_TABLES.map((table) => `(SELECT count(*)::int FROM ${table}) AS ${table}`).join(', ')}`);
  return row!;
}
