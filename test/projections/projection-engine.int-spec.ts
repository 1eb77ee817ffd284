import { randomUUID } from 'node:crypto';
import type { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import type { CustomProjection, DocumentProjection, ProjectedEvent } from '../../src/projections/projection.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { projectionStatus } from '../../src/projections/projection-status.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { anEvent } from '../support/events.js';
import { type TestDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

/** Counts, per stream, the events it saw: a double or missed application shows in the totals. */
function counter(name: string, options: { failOn?: (event: ProjectedEvent) => boolean } = {}): DocumentProjection<{ count: number; last: number }> {
  return {
    kind: 'document',
    name,
    schemaVersion: 1,
    categories: ['counted'],
    eventTypes: ['Counted', 'Poisoned'],
    keyOf: (event) => event.streamId,
    reduce(doc, event) {
      if (event.type === 'Poisoned' || options.failOn?.(event)) throw new Error(`cannot count ${event.type} ${event.streamVersion}`);
      return { count: (doc?.count ?? 0) + 1, last: event.streamVersion };
    },
  };
}

describe.each(databaseTargets())('projection engine on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => ({ database, store } = await openEventStore(target, { start: true })));

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(() => closeEventStore({ database, store }));

  const run = (projection: ConstructorParameters<typeof ProjectionRunner>[2], options = {}) => {
    const runner = new ProjectionRunner(database.db, store, projection, { pollMs: 50, leaseRetryMs: 100, batchSize: 7, ...options });
    runners.push(runner);
    return runner;
  };

  async function append(streams: number, perStream: number, type = 'Counted', category = 'counted'): Promise<string[]> {
    const ids = Array.from({ length: streams }, () => `${category}-${randomUUID()}`);
    for (const id of ids) await store.appendToStream(id, Array.from({ length: perStream }, () => anEvent(type)), { expectedVersion: 'any' });
    return ids;
  }

  async function counts(view: string): Promise<Map<string, number>> {
    const rows = await database.db.query<{ key: string; doc: { count: number } }>(`SELECT key, doc FROM ${view}`);
    return new Map(rows.map((row) => [row.key, row.doc.count]));
  }

  it('applies every event once, keeps its checkpoint with its rows, and follows new appends', async () => {
    const name = `counts_${randomUUID().slice(0, 8)}`;
    const before = await append(5, 4);
    const runner = run(counter(name));
    await runner.start();
    await runner.whenCaughtUp();
    const after = await append(3, 6);
    await runner.whenCaughtUp();
    const seen = await counts(name);
    for (const id of before) expect(seen.get(id)).toBe(4);
    for (const id of after) expect(seen.get(id)).toBe(6);
    const status = await projectionStatus(database.db, counter(name));
    expect(status).toMatchObject({ generation: 1, eventsApplied: 38, lagEvents: 0, lagSeconds: 0, errors: 0 });
  });

  it('records an event it cannot apply with its position, skips it and goes on', async () => {
    const name = `counts_${randomUUID().slice(0, 8)}`;
    const [good] = await append(1, 3);
    const poisoned = await store.appendToStream(`counted-${randomUUID()}`, [anEvent('Poisoned')], { expectedVersion: 'no_stream' });
    const [later] = await append(1, 2);
    const runner = run(counter(name));
    await runner.start();
    await runner.whenCaughtUp();
    const seen = await counts(name);
    expect(seen.get(good!)).toBe(3);
    expect(seen.get(later!)).toBe(2);
    const status = await projectionStatus(database.db, counter(name));
    expect(status.errors).toBe(1);
    expect(status.lastError).toMatchObject({ eventType: 'Poisoned', globalPosition: poisoned.lastGlobalPosition, message: expect.stringContaining('cannot count') });
  });

  it('rolls a batch back whole when it fails half-way, then applies it exactly once', async () => {
    const name = `feed_${randomUUID().slice(0, 8)}`;
    const category = `batch${randomUUID().slice(0, 8)}`;
    let failures = 0;
    // A custom projection writing one row per event, that crashes once after two rows of a batch.
    const projection: CustomProjection = {
      kind: 'custom',
      name,
      schemaVersion: 1,
      categories: [category],
      eventTypes: ['Counted'],
      create: (tx, prefix) => tx.exec(`CREATE TABLE ${prefix} (event_id uuid PRIMARY KEY)`),
      tables: (prefix) => [prefix],
      views: (prefix) => ({ [name]: prefix }),
      async apply(tx, prefix, events) {
        let written = 0;
        for (const event of events) {
          await tx.query(`INSERT INTO ${prefix} (event_id) VALUES ($1)`, [event.eventId]);
          written += 1;
          if (written === 2 && failures === 0) {
            failures += 1;
            throw new Error('the process died here');
          }
        }
      },
    };
    const streams = await append(4, 5, 'Counted', category);
    const runner = run(projection, { batchSize: 6 });
    await runner.start();
    await runner.whenCaughtUp();
    expect(failures).toBe(1);
    const rows = await database.db.query<{ n: number; distinct: number }>(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM ${name}`);
    expect(rows[0]).toEqual({ n: 20, distinct: 20 });
    expect(streams).toHaveLength(4);
  });

  it('rebuilds into a new generation beside the live one and switches readers to it, equal to the incremental state', async () => {
    const name = `counts_${randomUUID().slice(0, 8)}`;
    const projection = counter(name);
    await append(6, 3);
    const runner = run(projection);
    await runner.start();
    await runner.whenCaughtUp();
    await append(2, 4);
    await runner.whenCaughtUp();
    const incremental = await counts(name);

    const progress: number[] = [];
    const [result] = await rebuildProjections(database.db, store, [projection], { batchSize: 5, onProgress: ({ done }) => progress.push(done) });
    expect(result).toMatchObject({ name, generation: 2 });
    expect(progress.length).toBeGreaterThan(2);
    expect(await counts(name)).toEqual(incremental);
    const tables = await database.db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE tablename LIKE $1 ORDER BY 1`, [`${name}_g%`]);
    expect(tables.map((table) => table.name)).toEqual([`${name}_g2`]);

    // The live runner follows the switch: what comes next lands in the new generation.
    const [fresh] = await append(1, 2);
    await waitFor(async () => (await counts(name)).get(fresh!) === 2);
    expect((await projectionStatus(database.db, projection)).generation).toBe(2);
  });

  it('rebuilds by itself, then switches, when a projection comes with a new schema version', async () => {
    const name = `counts_${randomUUID().slice(0, 8)}`;
    const [first] = await append(1, 3);
    const v1 = run(counter(name));
    await v1.start();
    await v1.whenCaughtUp();
    await v1.stop();
    const v2 = run({ ...counter(name), schemaVersion: 2 });
    await v2.start();
    await v2.whenCaughtUp();
    const status = await projectionStatus(database.db, counter(name));
    expect(status).toMatchObject({ generation: 2, schemaVersion: 2 });
    expect((await counts(name)).get(first!)).toBe(3);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
