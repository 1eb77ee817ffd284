import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SqlClient, prepared } from '../../../database/sql-client.js';
import { type AllCursor, encodeCursor } from '../../../event-store/event-store.js';

/**
 * The channel the partner_feed projection notifies in the transaction that writes a batch's rows:
 * PostgreSQL delivers it at that commit, never before, so a stream woken by it finds the rows.
 * The payload: the organisations the batch delivered to, comma-separated, or `*` (too many for a
 * payload, or unknown).
 */
export const FEED_COMMITTED_CHANNEL = 'partner_feed_committed';

/** Longest payload sent: PostgreSQL refuses more than 8 000 bytes; past this, `*` wakes everyone. */
const MAX_PAYLOAD = 7_000;

/** The NOTIFY payload for a batch that delivered to these organisations. */
export function feedCommittedPayload(partnerIds: Iterable<string>): string {
  const payload = [...new Set([...partnerIds].map((id) => id.toLowerCase()))].join(',');
  return payload.length > MAX_PAYLOAD ? '*' : payload;
}

export interface FeedRow {
  transaction_id: string;
  global_position: number;
  parcours_id: string;
  event_id: string;
  type: string;
  data: object;
  recorded_at: Date;
}

// The order is the columns' (f.), never the output's: `transaction_id` alone would name the text
// alias, and '1000' sorts before '999' — the page would skip whatever lies across a change of digits.
const PAGE = prepared(`SELECT f.transaction_id::text AS transaction_id, f.global_position, f.parcours_id, f.event_id, f.type, f.data, f.recorded_at
                         FROM partner_feed f
                        WHERE f.partner_id = $1 AND (f.transaction_id, f.global_position) > ($2::text::xid8, $3::bigint)
                        ORDER BY f.transaction_id, f.global_position LIMIT $4`);

/**
 * Where open feed streams wait and read. Streams wait for the feed projection's commit, and only
 * those of the organisations that commit delivered to: an append wakes nobody, since its rows are
 * not in the feed yet (a stream woken by the append could read before the projection's commit and
 * then wait for the next event). And the streams of one organisation that ask for the same page at
 * the same time share one query: with twenty streams per organisation, feed queries grow with the
 * organisations served, not with the streams.
 *
 * A stream takes a `mark` before it reads, and waits from that mark: a commit that arrives between
 * its read and its wait is not missed. When the listening connection is lost and restored, every
 * stream is woken (notifications sent meanwhile were lost); each also wakes on its keep-alive timer.
 */
@Injectable()
export class FeedHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FeedHub');
  /** Per organisation (lower case), how many commits delivered to it since the start. */
  private readonly generations = new Map<string, number>();
  /** Bumped by a `*` commit and a reconnection: every organisation's streams wake. */
  private everyone = 0;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly pages = new Map<string, Promise<FeedRow[]>>();
  private unlisten: (() => Promise<void>) | undefined;
  /** Told of each commit (webhook delivery): the organisations it delivered to, or `*` for all. */
  private readonly commitListeners = new Set<(partnerIds: readonly string[] | '*') => void>();

  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unlisten = await this.db.listen(
      FEED_COMMITTED_CHANNEL,
      (payload) => this.committed(payload),
      () => this.committed('*'),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.unlisten?.().catch((error: unknown) => this.logger.warn({ msg: 'feed listener did not stop cleanly', err: error }));
    this.unlisten = undefined;
  }

  /** Where an organisation's feed stands now, to wait from after a read. */
  mark(partnerId: string): number {
    return this.everyone + (this.generations.get(partnerId.toLowerCase()) ?? 0);
  }

  /**
   * Resolves once a commit delivered to the organisation after `mark`, or after `timeoutMs`, or
   * when `abort` is called (the stream ends). True when woken by a commit.
   */
  wait(partnerId: string, mark: number, timeoutMs: number, abort: { onAbort?: () => void }): Promise<boolean> {
    const key = partnerId.toLowerCase();
    if (this.mark(key) !== mark) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const finish = (woken: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        abort.onAbort = undefined;
        resolve(woken);
      };
      const wake = () => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      waiters.add(wake);
      abort.onAbort = () => finish(false);
    });
  }

  /**
   * A page of an organisation's feed after a cursor. Streams of one organisation woken by the same
   * commit ask for the same page: one query answers them all.
   */
  page(partnerId: string, after: AllCursor, limit: number): Promise<FeedRow[]> {
    const key = `${partnerId.toLowerCase()} ${encodeCursor(after)} ${limit}`;
    const pending = this.pages.get(key);
    if (pending) return pending;
    const query = this.db.query<FeedRow>(PAGE, [partnerId, after.transactionId, after.position, limit]).finally(() => this.pages.delete(key));
    this.pages.set(key, query);
    return query;
  }

  /** Calls `listener` at each feed commit with the organisations it delivered to (`*`: maybe all); returns the unsubscribe. */
  onCommitted(listener: (partnerIds: readonly string[] | '*') => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** How many streams wait now, per organisation (metrics, tests). */
  waiting(): number {
    let count = 0;
    for (const waiters of this.waiters.values()) count += waiters.size;
    return count;
  }

  private committed(payload: string): void {
    for (const listener of this.commitListeners) listener(payload === '*' || payload === '' ? '*' : payload.split(','));
    if (payload === '*' || payload === '') {
      this.everyone += 1;
      for (const waiters of [...this.waiters.values()]) for (const wake of [...waiters]) wake();
      return;
    }
    for (const partnerId of payload.split(',')) {
      this.generations.set(partnerId, (this.generations.get(partnerId) ?? 0) + 1);
      for (const wake of [...(this.waiters.get(partnerId) ?? [])]) wake();
    }
  }
}
