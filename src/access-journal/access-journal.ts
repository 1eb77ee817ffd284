import { Inject, Injectable } from '@nestjs/common';
import { SqlClient, type SqlExecutor, prepared } from '../database/sql-client.js';
import type { EventMetadata } from '../event-store/event-store.js';
import { type RowsWrite, tableColumns } from '../event-store/inline-writes.js';

/** One access to a beneficiary record: who, how, which record, with what outcome. Never the data itself. */
export interface JournalEntry {
  actor: EventMetadata['actor'];
  /** e.g. `parcours.read`, `parcours.DecideOrientation`, `audit.replay`. */
  operation: string;
  /**
   * A parcours; or, for audits over many records, the store or a territory; or a member (a token
   * minted for them); or a page of an organisation's feed, which names the parcours it carried in
   * `recordIds`.
   */
  recordType: 'parcours' | 'access_journal' | 'store' | 'territory' | 'member' | 'feed_page';
  recordId: string;
  /** The parcours a `feed_page` carried. */
  recordIds?: readonly string[];
  /**
   * A page of an organisation's feed served to its reader (GET /v1/feed, /v1/feed/stream): the
   * cursor of its last item, kept in `partner_feed_reads` by the statement that journals the page.
   */
  feedServed?: { partnerId: string; transactionId: string; position: number };
  outcome: 'ok' | 'not_found' | 'refused';
  correlationId: string;
}

const COLUMNS = 'actor_user_id, actor_api_key_id, actor_partner_id, actor_role, operation, record_type, record_id, outcome, correlation_id';
const UNNEST = 'unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])';

const JOURNAL_COLUMNS: RowsWrite['columns'] = tableColumns('actor_user_id text, actor_api_key_id text, actor_partner_id uuid, actor_role text, operation text, record_type text, record_id text, outcome text, correlation_id text');

/** Entries of one record each (every read, every command): the plain insert. */
const INSERT = prepared(`INSERT INTO access_journal (${COLUMNS}) SELECT * FROM ${UNNEST}`);

/** Entries some of which name several records (feed pages): their lists joined by position. */
const INSERT_WITH_RECORDS = prepared(`INSERT INTO access_journal (${COLUMNS}, record_ids)
  SELECT u.user_id, u.api_key_id, u.partner_id, u.role, u.operation, u.record_type, u.record_id, u.outcome, u.correlation_id,
         CASE WHEN jsonb_typeof(r.ids) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(r.ids)) END
    FROM ${UNNEST} WITH ORDINALITY AS u(user_id, api_key_id, partner_id, role, operation, record_type, record_id, outcome, correlation_id, i)
    JOIN jsonb_array_elements($10::jsonb) WITH ORDINALITY AS r(ids, i) ON r.i = u.i`);

/**
 * Entries of feed pages served: besides journaling them, the same statement moves each
 * organisation's feed position (partner_feed_reads) — the furthest cursor served, the time of the
 * last page — so that knowing where a partner's readers stand costs no round trip of its own. Pages
 * of one organisation in the same batch make one row (the furthest of them).
 */
const INSERT_WITH_FEED = prepared(`WITH journal AS (${INSERT_WITH_RECORDS.text}),
  pages AS (
    SELECT s.partner_id, s.transaction_id::xid8 AS transaction_id, s.position
      FROM unnest($11::uuid[], $12::text[], $13::bigint[]) AS s(partner_id, transaction_id, position)
     WHERE s.partner_id IS NOT NULL),
  served AS (
    SELECT DISTINCT ON (partner_id) partner_id, transaction_id, position, count(*) OVER (PARTITION BY partner_id) AS pages
      FROM pages ORDER BY partner_id, transaction_id DESC, position DESC)
  INSERT INTO partner_feed_reads AS r (partner_id, served_transaction_id, served_position, served_at, last_read_at, pages_served)
  SELECT partner_id, transaction_id, position, now(), now(), pages FROM served
  ON CONFLICT (partner_id) DO UPDATE SET
    served_transaction_id = CASE WHEN (EXCLUDED.served_transaction_id, EXCLUDED.served_position) > (r.served_transaction_id, r.served_position) THEN EXCLUDED.served_transaction_id ELSE r.served_transaction_id END,
    served_position = CASE WHEN (EXCLUDED.served_transaction_id, EXCLUDED.served_position) > (r.served_transaction_id, r.served_position) THEN EXCLUDED.served_position ELSE r.served_position END,
    served_at = CASE WHEN (EXCLUDED.served_transaction_id, EXCLUDED.served_position) > (r.served_transaction_id, r.served_position) THEN EXCLUDED.served_at ELSE r.served_at END,
    last_read_at = EXCLUDED.last_read_at,
    pages_served = r.pages_served + EXCLUDED.pages_served`);

/** The statement and parameters that insert these entries. */
function insertOf(entries: readonly JournalEntry[]): [typeof INSERT, unknown[]] {
  const all = columns(entries);
  if (entries.some((entry) => entry.feedServed)) {
    return [
      INSERT_WITH_FEED,
      [
        ...all,
        entries.map((entry) => entry.feedServed?.partnerId ?? null),
        entries.map((entry) => entry.feedServed?.transactionId ?? null),
        entries.map((entry) => entry.feedServed?.position ?? null),
      ],
    ];
  }
  return entries.some((entry) => entry.recordIds) ? [INSERT_WITH_RECORDS, all] : [INSERT, all.slice(0, 9)];
}

/**
 * The access journal (CNIL délibération 2021-122). Writes made by commands go in the command's
 * own transaction; reads are journaled before their answer leaves, grouped: while one insert is
 * committing, the entries that arrive wait and go together in the next, so a burst of reads costs
 * a few commits, not one each, and no answer is sent before its entry is stored.
 */
@Injectable()
export class AccessJournal {
  private queue: Array<{ entry: JournalEntry; done: () => void; failed: (error: unknown) => void }> = [];
  private flushing = false;

  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  record(entry: JournalEntry): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ entry, done, failed });
      if (!this.flushing) void this.flush();
    });
  }

  async recordInTransaction(tx: SqlExecutor, entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length) await tx.query(...insertOf(entries));
  }

  /** The entry of a write, committed by the very statement that appends its events. */
  followup(entry: JournalEntry): RowsWrite {
    return {
      kind: 'rows',
      table: 'access_journal',
      columns: JOURNAL_COLUMNS,
      // A command's entry names its one parcours: no `record_ids`.
      rows: [columns([entry]).slice(0, 9).map((column) => (column as unknown[])[0])],
    };
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.db.query(...insertOf(batch.map((item) => item.entry)));
        for (const item of batch) item.done();
      } catch (error) {
        for (const item of batch) item.failed(error);
      }
    }
    this.flushing = false;
  }

  /** Deletes entries older than the retention (never less than the 12 months the table's trigger enforces). */
  async purgeExpired(retentionMonths: number): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `WITH purged AS (DELETE FROM access_journal WHERE at < now() - make_interval(months => $1) RETURNING 1) SELECT count(*)::int AS n FROM purged`,
      [Math.max(12, retentionMonths)],
    );
    return rows[0]?.n ?? 0;
  }
}

function columns(entries: readonly JournalEntry[]): unknown[] {
  return [
    entries.map((entry) => entry.actor.userId ?? null),
    entries.map((entry) => entry.actor.apiKeyId ?? null),
    entries.map((entry) => entry.actor.partnerId ?? null),
    entries.map((entry) => entry.actor.role ?? null),
    entries.map((entry) => entry.operation),
    entries.map((entry) => entry.recordType),
    entries.map((entry) => entry.recordId),
    entries.map((entry) => entry.outcome),
    entries.map((entry) => entry.correlationId),
    JSON.stringify(entries.map((entry) => entry.recordIds ?? null)),
  ];
}
