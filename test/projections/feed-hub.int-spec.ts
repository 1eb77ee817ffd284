import { randomUUID } from 'node:crypto';
import { FEED_COMMITTED_CHANNEL, FeedHub, feedCommittedPayload } from '../../src/parcours/read-models/partner-feed/feed-hub.js';
import { partnerFeedProjection } from '../../src/parcours/read-models/partner-feed/partner-feed.projection.js';
import { feedPolicyOf } from '../../src/parcours/read-models/partner-feed/feed-policy.js';
import { insertFeedRows } from '../support/feed-rows.js';
import { databaseTargets } from '../support/test-database.js';

/**
 * The hub streams wait on: woken by the feed projection's commit (a NOTIFY sent in its batch's
 * transaction), only for the organisations that commit delivered to, and never before the commit.
 */
describe.each(databaseTargets())('FeedHub on $name', (target) => {
  const A = randomUUID();
  const B = randomUUID();

  async function withHub<T>(run: (hub: FeedHub, notify: (payload: string) => Promise<void>, db: Awaited<ReturnType<typeof target.open>>['db']) => Promise<T>): Promise<T> {
    const database = await target.open();
    const hub = new FeedHub(database.db);
    await hub.onApplicationBootstrap();
    const notify = async (payload: string) => {
      await database.db.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', [FEED_COMMITTED_CHANNEL, payload]);
      });
    };
    try {
      return await run(hub, notify, database.db);
    } finally {
      await hub.beforeApplicationShutdown();
      await database.close();
    }
  }

  it('wakes the streams of the organisations a commit delivered to, and only those', async () => {
    await withHub(async (hub, notify) => {
      const waitingA = hub.wait(A, hub.mark(A), 30_000, {});
      const waitingB = hub.wait(B, hub.mark(B), 1_500, {});
      await notify(feedCommittedPayload([A.toUpperCase()]));
      expect(await waitingA).toBe(true);
      // B's stream is left alone: it returns at its keep-alive, not woken.
      expect(await waitingB).toBe(false);
    });
  });

  it('does not lose a commit that lands between a read and the wait (the mark taken before the read)', async () => {
    await withHub(async (hub, notify) => {
      const mark = hub.mark(A);
      await notify(A);
      // The notification has reached the hub (a second waiter proves it) before the stream waits.
      await hub.wait(A, mark, 30_000, {});
      expect(await hub.wait(A, mark, 30_000, {})).toBe(true);
    });
  });

  it('wakes nobody before the commit: the rows a stream will read are there when it wakes', async () => {
    await withHub(async (hub, _notify, db) => {
      let woken = false;
      const waiting = hub.wait(A, hub.mark(A), 30_000, {}).then((value) => (woken = value));
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', [FEED_COMMITTED_CHANNEL, A]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(woken).toBe(false);
      });
      await waiting;
      expect(woken).toBe(true);
    });
  });

  it('wakes every stream on `*` (a batch for too many organisations to name)', async () => {
    await withHub(async (hub, notify) => {
      const waiting = [hub.wait(A, hub.mark(A), 30_000, {}), hub.wait(B, hub.mark(B), 30_000, {})];
      await notify(feedCommittedPayload(Array.from({ length: 400 }, () => randomUUID())));
      expect(await Promise.all(waiting)).toEqual([true, true]);
    });
  });

  it('ends a wait at once when its stream ends', async () => {
    await withHub(async (hub) => {
      const abort: { onAbort?: () => void } = {};
      const waiting = hub.wait(A, hub.mark(A), 30_000, abort);
      abort.onAbort!();
      expect(await waiting).toBe(false);
      expect(hub.waiting()).toBe(0);
    });
  });

  it('pages in the global order when transaction ids change their number of digits (999 before 1000)', async () => {
    await withHub(async (hub, _notify, db) => {
      await db.transaction((tx) => partnerFeedProjection(feedPolicyOf({ feedPolicyFile: undefined })).create(tx, 'partner_feed'));
      // Rows as the projection writes them, at transaction ids where their text sorts otherwise
      // (a fresh embedded database crosses 1 000 within minutes; a server crosses 10^n some day).
      const transactions = ['998', '999', '1000', '1001', '10000'];
      await insertFeedRows(db, A, transactions);
      const seen: string[] = [];
      let after = { transactionId: '0', position: 0 };
      for (;;) {
        const rows = await hub.page(A, after, 2);
        seen.push(...rows.map((row) => row.transaction_id));
        if (rows.length < 2) break;
        after = { transactionId: rows.at(-1)!.transaction_id, position: Number(rows.at(-1)!.global_position) };
      }
      expect(seen).toEqual(transactions);
    });
  });

  it('answers the streams of one organisation asking for the same page with one query', async () => {
    await withHub(async (hub, _notify, db) => {
      // The feed's table as the projection creates it, under the name the hub reads.
      await db.transaction((tx) => partnerFeedProjection(feedPolicyOf({ feedPolicyFile: undefined })).create(tx, 'partner_feed'));
      let queries = 0;
      const query = db.query.bind(db);
      db.query = ((...args: Parameters<typeof db.query>) => {
        queries += 1;
        return query(...args);
      }) as typeof db.query;
      const after = { transactionId: '0', position: 0 };
      const pages = await Promise.all(Array.from({ length: 20 }, () => hub.page(A, after, 200)));
      expect(pages.every((rows) => Array.isArray(rows) && rows.length === 0)).toBe(true);
      expect(queries).toBe(1);
      // Another organisation, or another cursor, is another query.
      await Promise.all([hub.page(B, after, 200), hub.page(A, { transactionId: '1', position: 0 }, 200)]);
      expect(queries).toBe(3);
    });
  });
});
