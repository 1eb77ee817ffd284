import { Inject, Injectable } from '@nestjs/common';
import { SqlClient } from '../../../database/sql-client.js';
import { type AllCursor, START, encodeCursor } from '../../../event-store/event-store.js';

/** Where an organisation's feed ends now, and where its readers (GET /v1/feed, the stream) stand. */
export interface FeedPositions {
  /** The cursor of the last item the feed holds for the organisation; null: nothing yet. */
  head: { cursor: string; recordedAt: Date } | null;
  /** The furthest item served to its readers, and when; null: no page served yet. */
  served: { cursor: string; at: Date; lastReadAt: Date; pagesServed: number } | null;
  /** Items of the feed after the furthest one served (all of them when none was). */
  pending: number;
  /** Items of the feed after each of the `others` cursors asked for (webhook endpoints'), in their order. */
  pendingAfterOthers: number[];
}

/**
 * The last item of an organisation's feed. Ordered by the columns (f.), not by the text alias:
 * '999' sorts after '1000' as text.
 */
export const FEED_HEAD = `SELECT f.transaction_id::text AS transaction_id, f.global_position, f.recorded_at FROM partner_feed f
                           WHERE f.partner_id = $1 ORDER BY f.transaction_id DESC, f.global_position DESC LIMIT 1`;

const SERVED = `SELECT served_transaction_id::text AS transaction_id, served_position, served_at, last_read_at, pages_served
                  FROM partner_feed_reads WHERE partner_id = $1`;

/** For each cursor, how many of the organisation's feed items come after it (on the feed's primary key). */
const PENDING = `SELECT (SELECT count(*) FROM partner_feed f
                          WHERE f.partner_id = $1 AND (f.transaction_id, f.global_position) > (c.transaction_id::xid8, c.position))::int AS pending
                   FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS c(transaction_id, position, i)
                  ORDER BY c.i`;

/**
 * Reads the positions the feed's readers leave behind: `partner_feed_reads` (moved by the
 * statement that journals each page served, access-journal.ts) against the feed's read model.
 */
@Injectable()
export class FeedPositionsQuery {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** `others`: more cursors to count the pending items after (a webhook endpoint's), in the same query as the readers'. */
  async of(partnerId: string, others: readonly AllCursor[] = []): Promise<FeedPositions> {
    const [[head], [served]] = await Promise.all([
      this.db.query<{ transaction_id: string; global_position: number; recorded_at: Date }>(FEED_HEAD, [partnerId]),
      this.db.query<{ transaction_id: string; served_position: number; served_at: Date; last_read_at: Date; pages_served: number | string }>(SERVED, [partnerId]),
    ]);
    const servedCursor: AllCursor | null = served ? { transactionId: served.transaction_id, position: Number(served.served_position) } : null;
    // An empty feed has nothing pending after any cursor: no count to run.
    const [pending = 0, ...pendingAfterOthers] = head ? await this.pendingAfter(partnerId, [servedCursor ?? START, ...others]) : others.map(() => 0);
    return {
      head: head ? { cursor: encodeCursor({ transactionId: head.transaction_id, position: Number(head.global_position) }), recordedAt: head.recorded_at } : null,
      served:
        served && servedCursor
          ? { cursor: encodeCursor(servedCursor), at: served.served_at, lastReadAt: served.last_read_at, pagesServed: Number(served.pages_served) }
          : null,
      pending,
      pendingAfterOthers,
    };
  }

  /** How many of the organisation's feed items come after each cursor (a webhook endpoint's, a reader's). */
  private async pendingAfter(partnerId: string, cursors: readonly AllCursor[]): Promise<number[]> {
    if (cursors.length === 0) return [];
    const rows = await this.db.query<{ pending: number }>(PENDING, [partnerId, cursors.map((cursor) => cursor.transactionId), cursors.map((cursor) => cursor.position)]);
    return rows.map((row) => Number(row.pending));
  }
}
