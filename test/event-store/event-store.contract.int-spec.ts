import {
  ConcurrencyError,
  EventIdConflictError,
  type EventStore,
  InvalidAppendError,
  type RecordedEvent,
  START,
  decodeCursor,
  encodeCursor,
} from '../../src/event-store/event-store.js';
import { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { Subscription } from '../../src/event-store/subscription.js';
import { UpcasterRegistry } from '../../src/event-store/upcasters.js';
import { readCommitted } from '../support/read-committed.js';
import { aStreamId, anEvent, events } from '../support/events.js';
import { databaseTargets } from '../support/test-database.js';

/**
 * The contract of the event store port (src/event-store/event-store.ts): what any adapter must do,
 * asserted through the port alone (`EventStore` and a `Subscription` over it), never through the
 * adapter's storage, so that another adapter (KurrentDB is on the roadmap) runs this same suite.
 * What only the SQL adapter does or stores (appendNewStreams, readStreamFacts, its rows and their
 * hash chain as SQL checks it) is asserted in sql-event-store.int-spec.ts.
 */

interface OpenedAdapter {
  store: EventStore;
  close(): Promise<void>;
}

interface Adapter {
  name: string;
  /**
   * A store ready to append and read. Tests draw fresh stream ids and read the global order from a
   * cursor taken first, so two stores opened here need not share storage, nor have it to themselves.
   */
  open(options?: { upcasters?: UpcasterRegistry }): Promise<OpenedAdapter>;
}

/** Where an adapter plugs in: add one entry per adapter (and per backing database) to run the whole suite on it. */
const ADAPTERS: Adapter[] = databaseTargets().map((target) => ({
  name: `SqlEventStore on ${target.name}`,
  open: async (options = {}) => {
    const database = await target.open();
    const store = new SqlEventStore(database.db, options);
    await store.start();
    return {
      store,
      close: async () => {
        await store.stop();
        await database.close();
      },
    };
  },
}));

describe.each(ADAPTERS)('event store contract: $name', (adapter) => {
  let opened: OpenedAdapter;
  let store: EventStore;

  beforeAll(async () => {
    opened = await adapter.open();
    store = opened.store;
  });

  afterAll(async () => {
    await opened.close();
  });

  /** How many events the stream holds, as the port shows them. */
  async function eventCount(streamId: string): Promise<number> {
    return (await store.readStream(streamId)).length;
  }

  async function readEverything(after = START): Promise<RecordedEvent[]> {
    return (await readCommitted(store, { after, limit: 250 })).events;
  }

  describe('appendToStream', () => {
    it('creates a stream with contiguous versions from 1 and returns the envelope', async () => {
      const streamId = aStreamId();
      const batch = events(3);
      const result = await store.appendToStream(streamId, batch, { expectedVersion: 'no_stream' });

      expect(result.nextExpectedVersion).toBe(3);
      expect(result.alreadyAppended).toBe(false);
      expect(result.events.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
      const stored = await store.readStream(streamId);
      expect(stored.map((event) => event.eventId)).toEqual(batch.map((event) => event.eventId));
      const first = stored[0]!;
      expect(first).toMatchObject({ streamId, type: 'SomethingHappened', schemaVersion: 1, data: batch[0]!.data, metadata: batch[0]!.metadata });
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(new Date(first.recordedAt).toISOString()).toBe(first.recordedAt);
      expect(result.lastGlobalPosition).toBe(stored[2]!.globalPosition);
      expect(stored[0]!.globalPosition).toBeLessThan(stored[1]!.globalPosition);
    });

    it('appends at the exact expected version and refuses a stale one with the actual version', async () => {
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(2), { expectedVersion: 'no_stream' });
      const next = await store.appendToStream(streamId, events(1), { expectedVersion: 2 });
      expect(next.nextExpectedVersion).toBe(3);

      const stale = store.appendToStream(streamId, events(1), { expectedVersion: 2 });
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.appendToStream(streamId, events(1), { expectedVersion: 2 })).rejects.toMatchObject({
        streamId,
        expectedVersion: 2,
        actualVersion: 3,
      });
      expect(await eventCount(streamId)).toBe(3);
    });

    it("refuses 'no_stream' on an existing stream and an exact version on a missing one", async () => {
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(1), { expectedVersion: 'no_stream' });
      await expect(store.appendToStream(streamId, events(1), { expectedVersion: 'no_stream' })).rejects.toMatchObject({
        actualVersion: 1,
      });
      await expect(store.appendToStream(aStreamId(), events(1), { expectedVersion: 4 })).rejects.toMatchObject({
        actualVersion: 0,
      });
    });

    it("appends with 'any' whatever the version, creating the stream if needed", async () => {
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(2), { expectedVersion: 'any' });
      const result = await store.appendToStream(streamId, events(2), { expectedVersion: 'any' });
      expect(result.events.map((event) => event.streamVersion)).toEqual([3, 4]);
    });

    it('is atomic: a batch that fails half-way leaves nothing behind', async () => {
      const taken = anEvent();
      await store.appendToStream(aStreamId(), [taken], { expectedVersion: 'no_stream' });
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(1), { expectedVersion: 'no_stream' });

      // The third event reuses an id stored in another stream: the append fails on it.
      const batch = [anEvent(), anEvent(), { ...anEvent(), eventId: taken.eventId }];
      await expect(store.appendToStream(streamId, batch, { expectedVersion: 1 })).rejects.toThrow();
      expect(await eventCount(streamId)).toBe(1);
      const after = await store.appendToStream(streamId, events(1), { expectedVersion: 1 });
      expect(after.nextExpectedVersion).toBe(2);
    });

    it('returns the original result for a retried append and writes nothing', async () => {
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(1), { expectedVersion: 'no_stream' });
      const batch = events(3);
      const original = await store.appendToStream(streamId, batch, { expectedVersion: 1 });
      const retried = await store.appendToStream(streamId, batch, { expectedVersion: 1 });
      const retriedAny = await store.appendToStream(streamId, batch, { expectedVersion: 'any' });

      for (const again of [retried, retriedAny]) {
        expect(again.alreadyAppended).toBe(true);
        expect(again.nextExpectedVersion).toBe(original.nextExpectedVersion);
        expect(again.lastGlobalPosition).toBe(original.lastGlobalPosition);
        expect(again.events.map((event) => event.hash)).toEqual(original.events.map((event) => event.hash));
      }
      expect(await eventCount(streamId)).toBe(4);
    });

    it('refuses a different event that reuses a stored id', async () => {
      const streamId = aStreamId();
      const first = anEvent('A', { value: 1 });
      await store.appendToStream(streamId, [first], { expectedVersion: 'no_stream' });

      const sameIdOtherData = { ...first, data: { value: 2 } };
      await expect(store.appendToStream(streamId, [sameIdOtherData], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
      const sameIdOtherPosition = store.appendToStream(streamId, [first], { expectedVersion: 1 });
      await expect(sameIdOtherPosition).rejects.toBeInstanceOf(EventIdConflictError);
      await expect(store.appendToStream(aStreamId(), [first], { expectedVersion: 'any' })).rejects.toBeInstanceOf(EventIdConflictError);
      expect(await eventCount(streamId)).toBe(1);
    });

    it('refuses malformed appends with InvalidAppendError', async () => {
      await expect(store.appendToStream(aStreamId(), [], { expectedVersion: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendToStream('no category', events(1), { expectedVersion: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendToStream(aStreamId(), [{ ...anEvent(), eventId: 'not-a-uuid' }], { expectedVersion: 'any' })).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      const twice = anEvent();
      await expect(store.appendToStream(aStreamId(), [twice, twice], { expectedVersion: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendToStream(aStreamId(), events(1), { expectedVersion: -3 })).rejects.toBeInstanceOf(InvalidAppendError);
    });

    it('lets exactly one of 8 concurrent writers at the same expected version win', async () => {
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(2), { expectedVersion: 'no_stream' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream(streamId, events(2), { expectedVersion: 2 })),
      );
      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const losers = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(7);
      for (const loser of losers) expect(loser.reason).toMatchObject({ name: 'ConcurrencyError', expectedVersion: 2, actualVersion: 4 });
      const versions = (await store.readStream(streamId)).map((event) => event.streamVersion);
      expect(versions).toEqual([1, 2, 3, 4]);
    });

    it('lets exactly one of 8 concurrent creators of the same stream win', async () => {
      const streamId = aStreamId();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream(streamId, events(1), { expectedVersion: 'no_stream' })),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(await eventCount(streamId)).toBe(1);
    });

    it("keeps versions contiguous under 8 concurrent 'any' writers", async () => {
      const streamId = aStreamId();
      await Promise.all(Array.from({ length: 8 }, () => store.appendToStream(streamId, events(3), { expectedVersion: 'any' })));
      const versions = (await store.readStream(streamId)).map((event) => event.streamVersion);
      expect(versions).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    });
  });

  describe('readStream', () => {
    let streamId: string;
    beforeAll(async () => {
      streamId = aStreamId();
      await store.appendToStream(streamId, events(10), { expectedVersion: 'no_stream' });
    });

    const versions = (list: RecordedEvent[]) => list.map((event) => event.streamVersion);

    it('reads forward from a version, up to a version, with a limit', async () => {
      expect(versions(await store.readStream(streamId))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(versions(await store.readStream(streamId, { from: 4 }))).toEqual([4, 5, 6, 7, 8, 9, 10]);
      expect(versions(await store.readStream(streamId, { from: 4, to: 6 }))).toEqual([4, 5, 6]);
      expect(versions(await store.readStream(streamId, { from: 2, limit: 3 }))).toEqual([2, 3, 4]);
    });

    it('reads backward from the head or from a version', async () => {
      expect(versions(await store.readStream(streamId, { direction: 'backward', limit: 3 }))).toEqual([10, 9, 8]);
      expect(versions(await store.readStream(streamId, { direction: 'backward', from: 5 }))).toEqual([5, 4, 3, 2, 1]);
      expect(versions(await store.readStream(streamId, { direction: 'backward', from: 5, to: 4 }))).toEqual([5, 4]);
    });

    it('returns nothing for a stream that does not exist', async () => {
      expect(await store.readStream(aStreamId())).toEqual([]);
    });
  });

  describe('readAll', () => {
    it('returns every event once, in commit order, across pages', async () => {
      const start = (await readCommitted(store, { limit: 10_000 })).next;
      const appended: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const batch = events(7);
        await store.appendToStream(aStreamId('order'), batch, { expectedVersion: 'no_stream' });
        appended.push(...batch.map((event) => event.eventId));
      }
      const read = await readEverything(start);
      expect(read.map((event) => event.eventId)).toEqual(appended);
    });

    it('filters by category and by type, and still advances its cursor past what it skips', async () => {
      const start = (await readCommitted(store, { limit: 10_000 })).next;
      await store.appendToStream(aStreamId('alpha'), [anEvent('Opened'), anEvent('Closed')], { expectedVersion: 'no_stream' });
      await store.appendToStream(aStreamId('beta'), [anEvent('Opened')], { expectedVersion: 'no_stream' });

      const alpha = await readCommitted(store, { after: start, categories: ['alpha'] });
      expect(alpha.events.map((event) => [event.streamId.split('-')[0], event.type])).toEqual([
        ['alpha', 'Opened'],
        ['alpha', 'Closed'],
      ]);
      const opened = await readCommitted(store, { after: start, types: ['Opened'] });
      expect(opened.events.map((event) => event.streamId.split('-')[0])).toEqual(['alpha', 'beta']);

      const none = await readCommitted(store, { after: start, categories: ['gamma'] });
      expect(none.events).toEqual([]);
      expect(encodeCursor(none.next)).not.toBe(encodeCursor(start));
    });

    it('round-trips its cursor through text and rejects garbage', () => {
      const cursor = { transactionId: '123456789012', position: 42 };
      expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
      expect(() => decodeCursor('12;DROP TABLE')).toThrow('not a valid position');
    });
  });

  describe('upcasting', () => {
    const upcasters = new UpcasterRegistry([
      { type: 'NameGiven', fromVersion: 1, upcast: (data) => ({ fullName: (data as { name: string }).name }) },
      { type: 'NameGiven', fromVersion: 2, upcast: (data) => ({ ...(data as object), locale: 'fr' }) },
    ]);
    let upcastingAdapter: OpenedAdapter;
    beforeAll(async () => {
      upcastingAdapter = await adapter.open({ upcasters });
    });
    afterAll(async () => {
      await upcastingAdapter.close();
    });

    it('reads a v1 event stored raw in the current shape', async () => {
      const upcasting = upcastingAdapter.store;
      const streamId = aStreamId('upcast');
      // Written as an old version of the service would have: schema version 1, old shape.
      await upcasting.appendToStream(streamId, [{ ...anEvent('NameGiven', { name: 'v1 shape' }), schemaVersion: 1 }], {
        expectedVersion: 'no_stream',
      });
      const [event] = await upcasting.readStream(streamId);
      expect(event).toMatchObject({ schemaVersion: 3, data: { fullName: 'v1 shape', locale: 'fr' } });
      // New events are written in the current version.
      const appended = await upcasting.appendToStream(streamId, [anEvent('NameGiven', { fullName: 'now', locale: 'fr' })], { expectedVersion: 1 });
      expect(appended.events[0]!.schemaVersion).toBe(3);
    });
  });

  describe('hash chain link', () => {
    it('keeps different hashes for identical content in different streams', async () => {
      const content = { same: true };
      const a = await store.appendToStream(aStreamId(), [anEvent('X', content)], { expectedVersion: 'no_stream' });
      const b = await store.appendToStream(aStreamId(), [anEvent('X', content)], { expectedVersion: 'no_stream' });
      expect(a.events[0]!.hash).not.toBe(b.events[0]!.hash);
    });
  });

  describe('subscription', () => {
    it('delivers events appended before and after it started, once each, and reports catching up', async () => {
      const start = (await readCommitted(store, { limit: 10_000 })).next;
      const before = events(3, 'Sub');
      const streamId = aStreamId('sub');
      await store.appendToStream(streamId, before, { expectedVersion: 'no_stream' });
      const received: string[] = [];
      const subscription = new Subscription(store, {
        after: start,
        categories: ['sub'],
        pollMs: 5_000,
        batchSize: 2,
        handle: async (batch) => {
          received.push(...batch.map((event) => event.eventId));
        },
      });
      subscription.start();
      await subscription.whenCaughtUp();
      expect(received).toEqual(before.map((event) => event.eventId));

      const after = events(2, 'Sub');
      await store.appendToStream(streamId, after, { expectedVersion: 3 });
      // Well under the 5 s poll period: the append itself woke the subscription.
      await waitFor(() => received.length === 5, 2_000);
      await subscription.whenCaughtUp();
      await subscription.stop();
      expect(received).toEqual([...before, ...after].map((event) => event.eventId));
    });

    it('retries a batch whose handler failed, without skipping it', async () => {
      const start = (await readCommitted(store, { limit: 10_000 })).next;
      const streamId = aStreamId('retry');
      const batch = events(2, 'Retry');
      await store.appendToStream(streamId, batch, { expectedVersion: 'no_stream' });
      let failures = 0;
      const handled: string[] = [];
      const subscription = new Subscription(store, {
        after: start,
        categories: ['retry'],
        retryMs: 10,
        handle: async (received) => {
          if (failures < 2) {
            failures += 1;
            throw new Error('transient');
          }
          handled.push(...received.map((event) => event.eventId));
        },
      });
      subscription.start();
      await waitFor(() => handled.length === 2, 2_000);
      await subscription.stop();
      expect(handled).toEqual(batch.map((event) => event.eventId));
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
