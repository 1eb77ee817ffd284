/**
 * npm run bench:store — the event store against plain SQL on the same tables, in one run.
 * Writes bench/results/store.json: { figure: { ours, raw, ratio, unit } }.
 */
import { randomUUID } from 'node:crypto';
import { type NewEvent, START } from '../src/event-store/event-store.js';
import { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import { type BenchDatabase, type Figure, compare, openBenchDatabase, printTable, rate, writeResults } from './support.js';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STREAMS_PER_WRITER = 10;

// A typical parcours event: coded values, dates, ids (personal data would be ciphertext).
function payload(n: number): { data: object; metadata: NewEvent['metadata'] } {
  return {
    data: {
      parcoursType: 'socio_professionnel',
      organismeReferentId: '4b1f6a1e-3c1d-4a55-9a0e-8f3c2d1b0a99',
      decidedOn: '2026-03-12',
      notifiedOn: '2026-03-14',
      reasonCode: 'diagnostic_freins_mobilite',
      barriers: [{ kind: 'mobility', level: 'strong' }, { kind: 'digital', level: 'medium' }],
      sequence: n,
    },
    metadata: {
      actor: { userId: 'c0a8012e-7d6f-4d1a-8c55-1f2e3d4c5b6a', partnerId: '4b1f6a1e-3c1d-4a55-9a0e-8f3c2d1b0a99', role: 'orientation_manager' },
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: '2026-03-12T09:30:00.000Z',
    },
  };
}

function newEvent(n: number): NewEvent {
  return { eventId: randomUUID(), type: 'OrientationDecided', schemaVersion: 1, ...payload(n) };
}

const FAKE_HASH = Buffer.alloc(32, 7);
const RAW_COLUMNS = 'stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash';

/** Plain parameterised multi-row INSERT … VALUES: what a hand-written writer would send. */
function rawInsert(rows: number): string {
  const values = Array.from({ length: rows }, (_, row) => {
    const p = row * 9;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::json, $${p + 7}::json, $${p + 8}, $${p + 9})`;
  });
  return `INSERT INTO events (${RAW_COLUMNS}) VALUES ${values.join(', ')}`;
}

class Writer {
  private readonly streams: Array<{ id: string; version: number }>;
  private next = 0;
  private counter = 0;

  constructor(category: string) {
    this.streams = Array.from({ length: STREAMS_PER_WRITER }, () => ({ id: `${category}-${randomUUID()}`, version: 0 }));
  }

  pick(): { id: string; version: number } {
    const stream = this.streams[this.next]!;
    this.next = (this.next + 1) % this.streams.length;
    return stream;
  }

  events(count: number): NewEvent[] {
    return Array.from({ length: count }, () => newEvent(this.counter++));
  }
}

async function concurrently(writers: number, ms: number, step: (writer: Writer) => Promise<number>, category: string): Promise<number> {
  const pool = Array.from({ length: writers }, () => new Writer(category));
  await Promise.all(pool.map((writer) => step(writer)));
  let done = 0;
  const started = performance.now();
  await Promise.all(
    pool.map(async (writer) => {
      while (performance.now() - started < ms) {
        // Not `done += await …`: that reads `done` before awaiting and loses the other writers' counts.
        const events = await step(writer);
        done += events;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** Events per second appended by the store, `writers` side by side, `batch` events per append. */
function appendRate(store: SqlEventStore, writers: number, batch: number, category = 'ours'): Promise<number> {
  return concurrently(
    writers,
    ROUND_MS,
    async (writer) => {
      const stream = writer.pick();
      const result = await store.appendToStream(stream.id, writer.events(batch), { expectedVersion: stream.version });
      stream.version = result.nextExpectedVersion;
      return batch;
    },
    category,
  );
}

async function appendFigure(bench: BenchDatabase, store: SqlEventStore, writers: number, batch: number): Promise<Figure> {
  const insert = rawInsert(batch);
  const ours = () => appendRate(store, writers, batch);
  const raw = () =>
    concurrently(
      writers,
      ROUND_MS,
      async (writer) => {
        const stream = writer.pick();
        const params: unknown[] = [];
        for (const event of writer.events(batch)) {
          stream.version += 1;
          params.push(stream.id, stream.version, event.eventId, event.type, 1, JSON.stringify(event.data), JSON.stringify(event.metadata), new Date(), FAKE_HASH);
        }
        await bench.db.query(insert, params);
        return batch;
      },
      'raw',
    );
  return compare(ROUNDS, ours, raw, 'ev/s');
}

/**
 * What durability costs on the embedded database: the same appends with fsync on (the default,
 * "ours") and off (PGLITE_FSYNC=off, "raw"), each on its own fresh PGlite folder.
 */
async function fsyncCost(store: SqlEventStore): Promise<Record<string, Figure>> {
  const relaxed = await openBenchDatabase('store-fsync-off', 12, { pgliteFsync: false });
  try {
    const relaxedStore = new SqlEventStore(relaxed.db);
    return {
      fsyncOnVsOff_append1_w1: await compare(ROUNDS, () => appendRate(store, 1, 1), () => appendRate(relaxedStore, 1, 1), 'ev/s'),
      fsyncOnVsOff_append100_w1: await compare(ROUNDS, () => appendRate(store, 1, 100), () => appendRate(relaxedStore, 1, 100), 'ev/s'),
    };
  } finally {
    await relaxed.close();
  }
}

async function main(): Promise<void> {
  const bench = await openBenchDatabase('store');
  const store = new SqlEventStore(bench.db);
  console.log(`bench:store on ${bench.label}: ${ROUNDS} alternating rounds of ${ROUND_MS} ms per figure`);
  try {
    const figures: Record<string, Figure> = {};
    figures.append1_w1 = await appendFigure(bench, store, 1, 1);
    figures.append1_w8 = await appendFigure(bench, store, 8, 1);
    figures.append100_w1 = await appendFigure(bench, store, 1, 100);
    figures.append100_w8 = await appendFigure(bench, store, 8, 100);

    const streamId = `long-${randomUUID()}`;
    for (let version = 0; version < 1000; version += 100) {
      await store.appendToStream(streamId, Array.from({ length: 100 }, (_, index) => newEvent(version + index)), { expectedVersion: version });
    }
    figures.readStream1000 = await compare(
      ROUNDS,
      () => rate(ROUND_MS, async () => (await store.readStream(streamId)).length),
      () =>
        rate(ROUND_MS, async () => {
          const rows = await bench.db.query(`SELECT global_position, ${RAW_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
          return rows.length;
        }),
      'ev/s',
    );

    const total = (await bench.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n;
    for (let missing = 100_000 - total; missing > 0; missing -= 1000) {
      await store.appendToStream(`fill-${randomUUID()}`, Array.from({ length: 1000 }, (_, index) => newEvent(index)), { expectedVersion: 'no_stream' });
    }
    const PAGE = 1000;
    figures.readAll100k = await compare(
      ROUNDS,
      async () => {
        const started = performance.now();
        let cursor = START;
        let read = 0;
        while (read < 100_000) {
          const page = await store.readAll({ after: cursor, limit: PAGE });
          read += page.events.length;
          cursor = page.next;
        }
        return read / ((performance.now() - started) / 1000);
      },
      async () => {
        const started = performance.now();
        let after = 0;
        let read = 0;
        while (read < 100_000) {
          const rows = await bench.db.query<{ global_position: number }>(
            `SELECT global_position, transaction_id, ${RAW_COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
            [after, PAGE],
          );
          read += rows.length;
          after = rows[rows.length - 1]!.global_position;
        }
        return read / ((performance.now() - started) / 1000);
      },
      'ev/s',
    );

    if (bench.dataDir) Object.assign(figures, await fsyncCost(store));

    printTable(`bench:store — ${bench.label}`, figures);
    if (bench.dataDir) console.log('fsyncOnVsOff_*: ours = fsync on (the default), raw = PGLITE_FSYNC=off');
    console.log(`written to ${writeResults('store', figures)}`);
  } finally {
    await bench.close();
  }
}

await main();
