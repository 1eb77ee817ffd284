import type { AllCursor, RecordedEvent } from '../../src/event-store/event-store.js';
import type { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { Subscription } from '../../src/event-store/subscription.js';
import { readCommitted } from '../support/read-committed.js';
import { aStreamId, events } from '../support/events.js';
import { type TestDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

describe.each(databaseTargets())('readAll with transactions committing out of order on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => ({ database, store } = await openEventStore(target, { poolSize: 12 })));
  afterAll(() => closeEventStore({ database, store }));

  async function drain(after: AllCursor): Promise<{ events: RecordedEvent[]; next: AllCursor }> {
    const received: RecordedEvent[] = [];
    let cursor = after;
    for (;;) {
      const page = await store.readAll({ after: cursor, limit: 3 });
      received.push(...page.events);
      cursor = page.next;
      if (page.isEnd) return { events: received, next: cursor };
    }
  }

  if (target.name === 'pglite') {
    // PGlite has one connection and a transaction holds it: a read issued while a writer's
    // transaction is open waits for its commit, so the out-of-order case cannot arise.
    it('makes a reader issued during an open transaction wait for its commit and see its events', async () => {
      const { next: start } = await readCommitted(store);
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      const late = events(2, 'Late');
      const writer = database.db.transaction(async (tx) => {
        await store.appendInTransaction(tx, aStreamId('late'), late, { expectedVersion: 'no_stream' });
        await open;
      });
      const read = store.readAll({ after: start });
      release();
      await writer;
      expect((await read).events.map((event) => event.eventId)).toEqual(late.map((event) => event.eventId));
    });
    return;
  }

  it('delivers the events of a transaction that took its positions first but committed last', async () => {
    const { next: start } = await readCommitted(store);
    const t1Events = events(2, 'Late');
    let releaseT1!: () => void;
    const t1CanCommit = new Promise<void>((resolve) => (releaseT1 = resolve));
    let t1Appended!: () => void;
    const t1HasAppended = new Promise<void>((resolve) => (t1Appended = resolve));

    // T1 appends (taking the lowest global positions) and stays open.
    const t1 = database.db.transaction(async (tx) => {
      const result = await store.appendInTransaction(tx, aStreamId('late'), t1Events, { expectedVersion: 'no_stream' });
      t1Appended();
      await t1CanCommit;
      return result;
    });
    await t1HasAppended;

    // T2..T6 append and commit while T1 is still open.
    const early = [];
    for (let index = 0; index < 5; index += 1) {
      early.push(await store.appendToStream(aStreamId('early'), events(2, 'Early'), { expectedVersion: 'no_stream' }));
    }

    // A reader that consumes everything visible now must not move past T1.
    const firstPass = await drain(start);
    expect(firstPass.events.map((event) => event.type)).not.toContain('Late');

    releaseT1();
    const t1Result = await t1;
    // The situation is the dangerous one: T1's positions are lower than those already committed.
    expect(t1Result.events[0]!.globalPosition).toBeLessThan(early[0]!.events[0]!.globalPosition);

    const everything = [...firstPass.events, ...(await readCommitted(store, { after: firstPass.next, limit: 3 })).events];
    const ids = everything.map((event) => event.eventId);
    for (const event of [...t1Events, ...early.flatMap((result) => result.events)]) {
      expect(ids.filter((id) => id === event.eventId)).toHaveLength(1);
    }
  });

  it('never skips nor repeats an event under many interleaved writers and a concurrent reader', async () => {
    const { next: start } = await readCommitted(store);
    const written: string[] = [];
    let writing = true;
    const received: RecordedEvent[] = [];
    let cursor = start;

    const reader = (async () => {
      while (writing) {
        const page = await store.readAll({ after: cursor, limit: 7, categories: ['race'] });
        received.push(...page.events);
        cursor = page.next;
      }
    })();

    // Writers whose transactions stay open for random short times, so commits interleave.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let round = 0; round < 15; round += 1) {
          const batch = events(1 + (round % 3), 'Race');
          await database.db.transaction(async (tx) => {
            await store.appendInTransaction(tx, aStreamId('race'), batch, { expectedVersion: 'no_stream' });
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
          });
          written.push(...batch.map((event) => event.eventId));
        }
      }),
    );
    writing = false;
    await reader;
    received.push(...(await readCommitted(store, { after: cursor, limit: 7 })).events.filter((event) => event.streamId.startsWith('race-')));

    const ids = received.map((event) => event.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...written].sort());
  });

  it('lets whenCaughtUp() wait for events committed before the call but kept above the horizon by an older transaction', async () => {
    const { next: start } = await readCommitted(store);
    const handled: string[] = [];
    const subscription = new Subscription(store, {
      after: start,
      categories: ['held', 'after'],
      pollMs: 20,
      handle: async (page) => void handled.push(...page.map((event) => event.eventId)),
    });
    subscription.start();
    let releaseOlder!: () => void;
    const olderMayCommit = new Promise<void>((resolve) => (releaseOlder = resolve));
    try {
      // An older transaction (another application's, say) takes its id and stays open.
      let olderStarted!: () => void;
      const olderHasStarted = new Promise<void>((resolve) => (olderStarted = resolve));
      const older = database.db.transaction(async (tx) => {
        await tx.query('SELECT pg_current_xact_id()');
        olderStarted();
        await olderMayCommit;
        await store.appendInTransaction(tx, aStreamId('held'), events(1, 'Held'), { expectedVersion: 'no_stream' });
      });
      await olderHasStarted;
      const committed = await store.appendToStream(aStreamId('after'), events(2, 'After'), { expectedVersion: 'no_stream' });

      let caughtUp = false;
      const waiting = subscription.whenCaughtUp().then(() => (caughtUp = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Resolving now would claim events it has not handled: they sit above the horizon.
      expect(caughtUp).toBe(false);
      expect(handled).toEqual([]);

      releaseOlder();
      await older;
      await waiting;
      expect(handled).toEqual(expect.arrayContaining(committed.events.map((event) => event.eventId)));
    } finally {
      releaseOlder();
      await subscription.stop();
    }
  });
});
