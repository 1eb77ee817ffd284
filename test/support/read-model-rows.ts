import type { SqlExecutor } from '../../src/database/sql-client.js';

/** The read models' tables, each with the columns that order its rows. */
const READ_MODEL_TABLES = {
  caseload: 'key',
  caom_funding: 'key',
  territory_indicators: 'key',
  partner_feed: 'partner_id, transaction_id, global_position',
  partner_feed_followers: 'parcours_id',
  continuity_parcours: 'parcours_id',
  continuity_events: 'parcours_id, stream_version',
  continuity_alerts: 'parcours_id, finding_key',
};

/** Every row of every read model, table by table in a stable order: to compare the state applied along the way with a rebuild's. */
export async function readModelRows(db: SqlExecutor): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown> = {};
  for (const [table, order] of Object.entries(READ_MODEL_TABLES)) rows[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  return rows;
}
