import {
  ConcurrencyError,
  EventIdConflictError,
  InvalidAppendError,
  type RecordedEvent,
  START,
  decodeCursor,
  encodeCursor,
} from '../../src/event-store/event-store.js';
import { verifyStreams } from '../../src/event-store/sql/hash-chain.js';
import { NewStreamsConflictError, SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { Subscription } from '../../src/event-store/subscription.js';
import { UpcasterRegistry } from '../../src/event-store/upcasters.js';
import { readCommitted } from '../support/read-committed.js';
import { aStreamId, anEvent, events } from '../support/events.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

describe.each(databaseTargets())('event store contract on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => {
    database = await target.open();
    store = new SqlEventStore(database.db);
    await store.start();
  });

  afterAll(async () => {
    await store.stop();
    await database.close();
  });

  async function rowCount(streamId: string): Promise<number> {
    const rows = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [streamId]);
    return rows[0]!.n;
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
      expect(await rowCount(streamId)).toBe(3);
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

      // The third event reuses an id stored in another stream: the insert fails on it.
      const batch = [anEvent(), anEvent(), { ...anEvent(), eventId: taken.eventId }];
      await expect(store.appendToStream(streamId, batch, { expectedVersion: 1 })).rejects.toThrow();
      expect(await rowCount(streamId)).toBe(1);
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
      expect(await rowCount(streamId)).toBe(4);
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
      expect(await rowCount(streamId)).toBe(1);
    });

    it('rejects malformed appends before touching the database', async () => {
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
      expect(await rowCount(streamId)).toBe(1);
    });

    it("keeps versions contiguous under 8 concurrent 'any' writers", async () => {
      const streamId = aStreamId();
      await Promise.all(Array.from({ length: 8 }, () => store.appendToStream(streamId, events(3), { expectedVersion: 'any' })));
      const versions = (await store.readStream(streamId)).map((event) => event.streamVersion);
      expect(versions).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
      expect(await verifyStreams(database.db, [streamId])).toEqual([]);
    });
  });

  describe('appendNewStreams', () => {
    const marker = (streamId: string) => (guard: string, first: number) => ({
      sql: `INSERT INTO new_streams_marks (stream_id) SELECT $${first} FROM ${guard}`,
      params: [streamId],
    });

    beforeAll(async () => {
      await database.db.query('CREATE TABLE IF NOT EXISTS new_streams_marks (stream_id text PRIMARY KEY)');
    });

    it('creates each new stream, chained as appendToStream chains one, with its own follow-ups, in one statement', async () => {
      const ids = [aStreamId(), aStreamId(), aStreamId()];
      const batches = ids.map((_, index) => events(index + 1));
      const results = await store.appendNewStreams(ids.map((streamId, index) => ({ streamId, events: batches[index]!, followups: [marker(streamId)] })));
      expect(results.map((result) => result?.events.map((event) => event.streamVersion))).toEqual([[1], [1, 2], [1, 2, 3]]);
      for (const [index, streamId] of ids.entries()) {
        expect((await store.readStream(streamId)).map((event) => event.eventId)).toEqual(batches[index]!.map((event) => event.eventId));
      }
      expect(await verifyStreams(database.db, ids)).toEqual([]);
      // One statement, one transaction.
      expect(new Set(results.map((result) => result!.events[0]!.transactionId)).size).toBe(1);
      const marks = await database.db.query<{ stream_id: string }>('SELECT stream_id FROM new_streams_marks WHERE stream_id = ANY($1::text[]) ORDER BY stream_id', [ids]);
      expect(marks.map((row) => row.stream_id)).toEqual([...ids].sort());
    });

    it('leaves a stream that exists as it is, without its follow-ups, and writes the others', async () => {
      const existing = aStreamId();
      await store.appendToStream(existing, events(2), { expectedVersion: 'no_stream' });
      const fresh = aStreamId();
      const results = await store.appendNewStreams([
        { streamId: existing, events: events(1), followups: [marker(existing)] },
        { streamId: fresh, events: events(1), followups: [marker(fresh)] },
      ]);
      expect(results[0]).toBeUndefined();
      expect(results[1]?.nextExpectedVersion).toBe(1);
      expect(await rowCount(existing)).toBe(2);
      expect(await database.db.query('SELECT stream_id FROM new_streams_marks WHERE stream_id = ANY($1::text[])', [[existing, fresh]])).toEqual([{ stream_id: fresh }]);
    });

    it('writes nothing of the batch when a follow-up breaks a unique constraint', async () => {
      const taken = aStreamId();
      await database.db.query('INSERT INTO new_streams_marks (stream_id) VALUES ($1)', [taken]);
      const other = aStreamId();
      const attempt = store.appendNewStreams([
        { streamId: other, events: events(1), followups: [marker(other)] },
        { streamId: taken, events: events(1), followups: [marker(taken)] },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(NewStreamsConflictError);
      expect(await rowCount(other)).toBe(0);
      expect(await rowCount(taken)).toBe(0);
      expect(await database.db.query('SELECT stream_id FROM new_streams_marks WHERE stream_id = $1', [other])).toEqual([]);
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

    it('reads the facts of several streams at once, each whole and in order, as readStream has them', async () => {
      const other = aStreamId();
      await store.appendToStream(other, events(3), { expectedVersion: 'no_stream' });
      const missing = aStreamId();
      const facts = await store.readStreamFacts([other, missing, streamId]);
      expect([...facts.keys()]).toEqual([other, missing, streamId]);
      expect(facts.get(missing)).toEqual([]);
      for (const id of [other, streamId]) {
        const full = await store.readStream(id);
        expect(facts.get(id)).toEqual(
          full.map(({ eventId, streamId: stream, streamVersion, globalPosition, type, schemaVersion, data, recordedAt }) => ({
            eventId,
            streamId: stream,
            streamVersion,
            globalPosition,
            type,
            schemaVersion,
            data,
            recordedAt,
          })),
        );
      }
      expect((await store.readStreamFacts([])).size).toBe(0);
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
    it('reads a v1 event stored raw in the current shape', async () => {
      const upcasters = new UpcasterRegistry([
        { type: 'NameGiven', fromVersion: 1, upcast: (data) => ({ fullName: (data as { name: string }).name }) },
        { type: 'NameGiven', fromVersion: 2, upcast: (data) => ({ ...(data as object), locale: 'fr' }) },
      ]);
      const upcasting = new SqlEventStore(database.db, { upcasters });
      const streamId = aStreamId('upcast');
      // Written as an old version of the service would have: schema version 1, old shape.
      await store.appendToStream(streamId, [{ ...anEvent('NameGiven', { name: 'v1 shape' }), schemaVersion: 1 }], {
        expectedVersion: 'no_stream',
      });
      const [event] = await upcasting.readStream(streamId);
      expect(event).toMatchObject({ schemaVersion: 3, data: { fullName: 'v1 shape', locale: 'fr' } });
      const raw = await database.db.query<{ schema_version: number; data: unknown }>('SELECT schema_version, data FROM events WHERE stream_id = $1', [
        streamId,
      ]);
      expect(raw[0]).toEqual({ schema_version: 1, data: { name: 'v1 shape' } });
      // New events are written in the current version.
      const appended = await upcasting.appendToStream(streamId, [anEvent('NameGiven', { fullName: 'now', locale: 'fr' })], { expectedVersion: 1 });
      expect(appended.events[0]!.schemaVersion).toBe(3);
    });
  });

  describe('tamper evidence', () => {
    it('chains each event to the previous one and detects a row changed in SQL', async () => {
      const streamId = aStreamId('tamper');
      await store.appendToStream(streamId, events(4), { expectedVersion: 'no_stream' });
      expect(await verifyStreams(database.db, [streamId])).toEqual([]);

      await database.db.query(`UPDATE events SET data = '{"n": -1}' WHERE stream_id = $1 AND stream_version = 2`, [streamId]);
      const breaks = await verifyStreams(database.db, [streamId]);
      expect(breaks).toEqual([expect.objectContaining({ streamId, streamVersion: 2, kind: 'changed', firstVersion: 2, lastVersion: 2 })]);
    });

    it('detects a deleted row', async () => {
      const streamId = aStreamId('tamper');
      await store.appendToStream(streamId, events(5), { expectedVersion: 'no_stream' });
      await database.db.query('DELETE FROM events WHERE stream_id = $1 AND stream_version = 3', [streamId]);
      const breaks = await verifyStreams(database.db, [streamId]);
      expect(breaks).toEqual([expect.objectContaining({ streamVersion: 4, kind: 'missing', firstVersion: 3, lastVersion: 3 })]);
    });

    it('reports a deleted run of rows as one break over the missing versions', async () => {
      const streamId = aStreamId('tamper');
      await store.appendToStream(streamId, events(6), { expectedVersion: 'no_stream' });
      await database.db.query('DELETE FROM events WHERE stream_id = $1 AND stream_version BETWEEN 2 AND 4', [streamId]);
      const breaks = await verifyStreams(database.db, [streamId]);
      expect(breaks).toEqual([expect.objectContaining({ streamId, kind: 'missing', firstVersion: 2, lastVersion: 4, streamVersion: 5 })]);
    });

    it('detects two rows swapped', async () => {
      const streamId = aStreamId('tamper');
      await store.appendToStream(streamId, events(4), { expectedVersion: 'no_stream' });
      await database.db.transaction(async (tx) => {
        await tx.query('UPDATE events SET stream_version = 99 WHERE stream_id = $1 AND stream_version = 2', [streamId]);
        await tx.query('UPDATE events SET stream_version = 2 WHERE stream_id = $1 AND stream_version = 3', [streamId]);
        await tx.query('UPDATE events SET stream_version = 3 WHERE stream_id = $1 AND stream_version = 99', [streamId]);
      });
      const breaks = await verifyStreams(database.db, [streamId]);
      // One tampering, one break: the swap, over the two versions concerned.
      expect(breaks).toEqual([
        expect.objectContaining({
          streamId,
          streamVersion: 2,
          kind: 'reordered',
          firstVersion: 2,
          lastVersion: 3,
          detail: 'events moved among versions 2..3: version 2 was written at 3, version 3 was written at 2',
        }),
      ]);
    });

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
