import type { SqlExecutor } from '../../src/database/sql-client.js';

/**
 * Rows of `partner_feed` for an organisation at chosen transaction ids (one ContactRecorded each,
 * positions 1, 2…), as the projection would write them: for tests of the feed's order where ids
 * change their number of digits ('999' sorts after '1000' as text), which a test cannot wait for.
 */
export async function insertFeedRows(db: SqlExecutor, partnerId: string, transactionIds: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO partner_feed (partner_id, transaction_id, global_position, parcours_id, event_id, type, data, recorded_at, policy_version, profile)
     SELECT $1, t::xid8, ordinality, gen_random_uuid(), gen_random_uuid(), 'ContactRecorded', '{}', now(), 'v', 'p'
       FROM unnest($2::text[]) WITH ORDINALITY AS u(t, ordinality)`,
    [partnerId, transactionIds],
  );
}
