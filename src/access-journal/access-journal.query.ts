import { Inject, Injectable } from '@nestjs/common';
import { SqlClient } from '../database/sql-client.js';

export interface AccessJournalFilter {
  /** The record, or one of the parcours a `feed_page` carried. */
  recordId?: string;
  userId?: string;
  partnerId?: string;
  /** Inclusive, RFC 3339 or a date. */
  from?: string;
  /** Exclusive, RFC 3339 or a date. */
  to?: string;
  /** Exclusive: the last entry id of the previous page. */
  after?: number;
  limit: number;
}

export interface JournalEntryRecord {
  entryId: number;
  at: string;
  userId: string | null;
  apiKeyId: string | null;
  partnerId: string | null;
  role: string | null;
  operation: string;
  recordType: string;
  recordId: string;
  recordIds: string[] | null;
  outcome: string;
  correlationId: string;
}

interface Row {
  entry_id: number;
  at: Date;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  actor_partner_id: string | null;
  actor_role: string | null;
  operation: string;
  record_type: string;
  record_id: string;
  record_ids: string[] | null;
  outcome: string;
  correlation_id: string;
}

/** Reads `access_journal` (written by access-journal.ts). */
@Injectable()
export class AccessJournalQueries {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** Who accessed which beneficiary record, when, how: a page of entries in the order they were written. */
  async entries(filter: AccessJournalFilter): Promise<{ items: JournalEntryRecord[]; nextCursor: number | null }> {
    const rows = await this.db.query<Row>(
      `SELECT entry_id, at, actor_user_id, actor_api_key_id, actor_partner_id, actor_role, operation, record_type, record_id, record_ids, outcome, correlation_id
         FROM access_journal
        WHERE ($1::text IS NULL OR record_id = $1 OR record_ids @> ARRAY[$1::text])
          AND ($2::text IS NULL OR actor_user_id = $2)
          AND ($3::uuid IS NULL OR actor_partner_id = $3)
          AND ($4::timestamptz IS NULL OR at >= $4)
          AND ($5::timestamptz IS NULL OR at < $5)
          AND entry_id > $6
        ORDER BY entry_id LIMIT $7`,
      [filter.recordId ?? null, filter.userId ?? null, filter.partnerId ?? null, filter.from ?? null, filter.to ?? null, filter.after ?? 0, filter.limit],
    );
    const items = rows.map((row) => ({
      entryId: row.entry_id,
      at: row.at.toISOString(),
      userId: row.actor_user_id,
      apiKeyId: row.actor_api_key_id,
      partnerId: row.actor_partner_id,
      role: row.actor_role,
      operation: row.operation,
      recordType: row.record_type,
      recordId: row.record_id,
      recordIds: row.record_ids,
      outcome: row.outcome,
      correlationId: row.correlation_id,
    }));
    return { items, nextCursor: items.length === filter.limit ? items[items.length - 1]!.entryId : null };
  }
}
