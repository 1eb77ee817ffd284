import { randomUUID } from 'node:crypto';
import { verifyStreams } from '../../src/event-store/sql/hash-chain.js';
import { ConcurrencyError, NewStreamsConflictError } from '../../src/event-store/event-store.js';
import type { InlineWrite, RowsWrite } from '../../src/event-store/inline-writes.js';
import { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { UpcasterRegistry } from '../../src/event-store/upcasters.js';
import { aStreamId, anEvent, events } from '../support/events.js';
import { type TestDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

/**
 * What the SQL adapter does beyond the port, and what it stores: appendNewStreams with the SQL
 * follow-ups and declared rows it writes in the same statement, readStreamFacts, the rows of
 * `events` as written (an upcast event stays in its old shape), and their hash chain, which
 * verifyStreams checks in SQL and which shows a row changed, deleted or moved behind the store's
 * back. The port's own behaviour is the contract suite's (event-store.contract.int-spec.ts).
 */
describe.each(databaseTargets())('SqlEventStore on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => ({ database, store } = await openEventStore(target, { start: true })));
  afterAll(() => closeEventStore({ database, store }));

  async function rowCount(streamId: string): Promise<number> {
    const rows = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [streamId]);
    return rows[0]!.n;
  }

  describe('hash chain under concurrent writers', () => {
    it("stays valid under 8 concurrent 'any' writers", async () => {
      const streamId = aStreamId();
      await Promise.all(Array.from({ length: 8 }, () => store.appendToStream(streamId, events(3), { expectedVersion: 'any' })));
      const versions = (await store.readStream(streamId)).map((event) => event.streamVersion);
      expect(versions).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
      expect(await verifyStreams(database.db, [streamId])).toEqual([]);
    });
  });

  describe('appendNewStreams', () => {
    const marker = (streamId: string): RowsWrite => ({ kind: 'rows', table: 'new_streams_marks', columns: [{ name: 'stream_id', type: 'text' }], rows: [[streamId]] });

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

    it('writes declared rows with their stream, one statement part for every stream of the batch, skipping a stream that exists', async () => {
      await database.db.query('CREATE TABLE IF NOT EXISTS declared_rows (stream_id text, n integer, tags uuid[], at timestamptz, PRIMARY KEY (stream_id, n))');
      const rows = (streamId: string, count: number): RowsWrite => ({
        kind: 'rows',
        table: 'declared_rows',
        columns: [
          { name: 'stream_id', type: 'text' },
          { name: 'n', type: 'integer' },
          { name: 'tags', type: 'uuid[]' },
          { name: 'at', type: 'recorded_at' },
        ],
        rows: Array.from({ length: count }, (_, index) => [streamId, index, `{${randomUUID()}}`]),
        // Rows whose n is 99 never go in.
        where: 'r.n <> 99',
      });
      const existing = aStreamId();
      const single = await store.appendToStream(existing, events(1), { expectedVersion: 'no_stream', followups: [rows(existing, 1)] });
      const fresh = [aStreamId(), aStreamId()];
      const results = await store.appendNewStreams([
        { streamId: fresh[0]!, events: events(1), followups: [rows(fresh[0]!, 2)] },
        { streamId: existing, events: events(1), followups: [rows(existing, 3)] },
        { streamId: fresh[1]!, events: events(2), followups: [{ ...rows(fresh[1]!, 1), rows: [[fresh[1]!, 0, '{}'], [fresh[1]!, 99, '{}']] }] },
      ]);
      expect(results.map((result) => result?.nextExpectedVersion)).toEqual([1, undefined, 2]);
      const stored = await database.db.query<{ stream_id: string; n: number; tags: string[]; at: Date }>(
        'SELECT stream_id, n, tags, at FROM declared_rows WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, n',
        [[existing, ...fresh]],
      );
      expect(stored.map((row) => [row.stream_id, row.n])).toEqual(
        [[existing, 0], [fresh[0]!, 0], [fresh[0]!, 1], [fresh[1]!, 0]].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])),
      );
      // The recording time of each row's own append.
      const at = (streamId: string) => stored.find((row) => row.stream_id === streamId)!.at.toISOString();
      expect(at(existing)).toBe(single.events[0]!.recordedAt);
      expect(at(fresh[0]!)).toBe(results[0]!.events[0]!.recordedAt);
      expect(stored.find((row) => row.stream_id === existing)!.tags).toHaveLength(1);
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

  describe('declared updates and deletes', () => {
    beforeAll(async () => {
      await database.db.query('CREATE TABLE IF NOT EXISTS declared_items (owner text, kind text, version text, label text, touched_at timestamptz, PRIMARY KEY (owner, kind, version))');
      await database.db.query('CREATE UNIQUE INDEX IF NOT EXISTS declared_items_one_label ON declared_items (label)');
    });

    async function itemsOf(owner: string): Promise<Array<{ kind: string; version: string; label: string | null; touched: boolean }>> {
      return database.db.query('SELECT kind, version, label, touched_at IS NOT NULL AS touched FROM declared_items WHERE owner = $1 ORDER BY kind, version', [owner]);
    }

    async function seed(owner: string): Promise<void> {
      for (const [kind, version] of [['a', '1'], ['b', '1'], ['b', '2'], ['c', '1']]) {
        await database.db.query('INSERT INTO declared_items (owner, kind, version) VALUES ($1, $2, $3)', [owner, kind, version]);
      }
    }

    const byOwner = (owner: string) => ({ column: 'owner', type: 'text', value: owner });

    it('updates the matching rows (values, an expression, the recording time, a condition) only when the events are appended', async () => {
      const owner = aStreamId();
      await seed(owner);
      const update: InlineWrite = {
        kind: 'update',
        table: 'declared_items',
        set: [
          { column: 'label', expression: `kind || '-' || version || '-' || owner` },
          { column: 'touched_at', type: 'recorded_at' },
        ],
        match: [byOwner(owner)],
        where: `kind <> 'c'`,
      };
      const streamId = aStreamId();
      await store.appendToStream(streamId, events(1), { expectedVersion: 'no_stream', followups: [update] });
      expect(await itemsOf(owner)).toEqual([
        { kind: 'a', version: '1', label: `a-1-${owner}`, touched: true },
        { kind: 'b', version: '1', label: `b-1-${owner}`, touched: true },
        { kind: 'b', version: '2', label: `b-2-${owner}`, touched: true },
        { kind: 'c', version: '1', label: null, touched: false },
      ]);
      // A conflicting append writes nothing, the follow-up included.
      const other = aStreamId();
      await seed(other);
      await expect(store.appendToStream(streamId, events(1), { expectedVersion: 0, followups: [{ ...update, match: [byOwner(other)] }] })).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await itemsOf(other)).every((item) => item.label === null)).toBe(true);
    });

    it('deletes the matching rows but those it keeps, with one stream or a batch of new ones', async () => {
      const [one, two] = [aStreamId(), aStreamId()];
      await seed(one);
      await seed(two);
      const deletion = (owner: string): InlineWrite => ({
        kind: 'delete',
        table: 'declared_items',
        match: [byOwner(owner)],
        keep: {
          columns: [
            { name: 'kind', type: 'text' },
            { name: 'version', type: 'text' },
          ],
          rows: [['b', '2'], ['c', '1']],
        },
      });
      await store.appendToStream(aStreamId(), events(1), { expectedVersion: 'no_stream', followups: [deletion(one)] });
      expect((await itemsOf(one)).map((item) => `${item.kind}${item.version}`)).toEqual(['b2', 'c1']);
      await store.appendNewStreams([{ streamId: aStreamId(), events: events(1), followups: [deletion(two), { kind: 'delete', table: 'declared_items', match: [byOwner(two), { column: 'kind', type: 'text', value: 'c' }] }] }]);
      expect((await itemsOf(two)).map((item) => `${item.kind}${item.version}`)).toEqual(['b2']);
    });

    it("answers a broken constraint the caller named as an InlineWriteConflictError, and writes nothing", async () => {
      const owner = aStreamId();
      await seed(owner);
      const label = `taken-${owner}`;
      await database.db.query(`UPDATE declared_items SET label = $2 WHERE owner = $1 AND kind = 'a'`, [owner, label]);
      const streamId = aStreamId();
      const attempt = store.appendToStream(streamId, events(1), {
        expectedVersion: 'no_stream',
        followups: [{ kind: 'update', table: 'declared_items', set: [{ column: 'label', type: 'text', value: label }], match: [byOwner(owner), { column: 'kind', type: 'text', value: 'b' }] }],
        followupConstraints: ['declared_items_one_label'],
      });
      await expect(attempt).rejects.toEqual(expect.objectContaining({ name: 'InlineWriteConflictError', constraint: 'declared_items_one_label' }));
      expect(await rowCount(streamId)).toBe(0);
    });
  });

  describe('readStreamFacts', () => {
    let streamId: string;
    beforeAll(async () => {
      streamId = aStreamId();
      await store.appendToStream(streamId, events(10), { expectedVersion: 'no_stream' });
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

  describe('upcasting', () => {
    it('stores an event as written and upcasts it on read only', async () => {
      const upcasters = new UpcasterRegistry([
        { type: 'NameGiven', fromVersion: 1, upcast: (data) => ({ fullName: (data as { name: string }).name }) },
        { type: 'NameGiven', fromVersion: 2, upcast: (data) => ({ ...(data as object), locale: 'fr' }) },
      ]);
      const upcasting = new SqlEventStore(database.db, { upcasters });
      const streamId = aStreamId('upcast');
      // Written by a store that knows no upcaster, as an old version of the service would have: schema version 1, old shape.
      await store.appendToStream(streamId, [{ ...anEvent('NameGiven', { name: 'v1 shape' }), schemaVersion: 1 }], {
        expectedVersion: 'no_stream',
      });
      const [event] = await upcasting.readStream(streamId);
      expect(event).toMatchObject({ schemaVersion: 3, data: { fullName: 'v1 shape', locale: 'fr' } });
      const raw = await database.db.query<{ schema_version: number; data: unknown }>('SELECT schema_version, data FROM events WHERE stream_id = $1', [
        streamId,
      ]);
      expect(raw[0]).toEqual({ schema_version: 1, data: { name: 'v1 shape' } });
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
  });
});
