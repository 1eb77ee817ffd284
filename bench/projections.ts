/**
 * npm run bench:projections — a département's history (BENCH_PARCOURS parcours, ~32 events each,
 * written through the decider so every stream is valid), then:
 *   - a full rebuild of every read model (ev/s) against a plain sequential scan of the same events;
 *   - the lag of the live projections under a steady write load (BENCH_COMMANDS_PER_SEC).
 * Writes bench/results/projections.json.
 */
import { randomUUID } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import { type AllCursor, compareCursors } from '../src/event-store/event-store.js';
import { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import { ProjectionRunner } from '../src/projections/projection-runner.js';
import { rebuildProjections } from '../src/projections/rebuild.js';
import { projectionsFor } from '../src/read-models.js';
import { PARTNERS, TODAY, random, seedPartners, writeHistories } from './history.js';
import { openBenchDatabase, percentile, round2, writeResults } from './support.js';

const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 32_000);
const COMMANDS_PER_SEC = Number(process.env.BENCH_COMMANDS_PER_SEC ?? 500);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);

async function main(): Promise<void> {
  const bench = await openBenchDatabase('projections');
  const store = new SqlEventStore(bench.db);
  await store.start();
  console.log(`bench:projections on ${bench.label}: writing the history of ${PARCOURS} parcours…`);
  try {
    await seedPartners(bench.db);
    const { ids } = await writeHistories(store, PARCOURS);

    const projections = projectionsFor({ feedPolicyFile: undefined, continuityPolicyFile: undefined });
    // The raw baseline: the same events, read in the same order and pages, and nothing done with them.
    const rawStarted = performance.now();
    let rawRead = 0;
    for (let after = 0; ; ) {
      const rows = await bench.db.query<{ global_position: number }>(
        `SELECT global_position, transaction_id, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash
           FROM events WHERE global_position > $1 AND category = 'parcours' ORDER BY global_position LIMIT 2000`,
        [after],
      );
      if (rows.length === 0) break;
      rawRead += rows.length;
      after = rows[rows.length - 1]!.global_position;
    }
    const rawRate = rawRead / ((performance.now() - rawStarted) / 1000);

    console.log(`rebuilding ${projections.map((projection) => projection.name).join(', ')} from ${rawRead} events…`);
    const rebuildBar = new SingleBar({ format: ' {bar} {value}/{total} events | {rate} ev/s' });
    const started = performance.now();
    rebuildBar.start(rawRead, 0, { rate: 0 });
    await rebuildProjections(bench.db, store, projections, {
      batchSize: 2000,
      onProgress: ({ done }) => rebuildBar.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) }),
    });
    rebuildBar.stop();
    const ours = rawRead / ((performance.now() - started) / 1000);

    // Steady state: after a bulk load and a rebuild, autovacuum would otherwise be busy with the
    // new tables during the measure (a service in production is not rebuilding all its read models).
    await bench.db.query('VACUUM ANALYZE');
    console.log(`live projections under ${COMMANDS_PER_SEC} commands/s for ${LOAD_SECONDS} s…`);
    const runners = projections.map((projection) => new ProjectionRunner(bench.db, store, projection, { batchSize: 500 }));
    await Promise.all(runners.map((runner) => runner.start()));
    await Promise.all(runners.map((runner) => runner.whenCaughtUp()));
    const pending: Array<{ cursor: AllCursor; at: number }> = [];
    const lags: number[] = [];
    let stop = false;
    // Watches the checkpoints: an event is projected once every read model's checkpoint is past it.
    const watcher = (async () => {
      while (!stop || pending.length) {
        // Only the read models that read contacts move their checkpoint for them.
        const rows = await bench.db.query<{ transaction_id: string; position: number }>(
          `SELECT c.transaction_id, c.position FROM projection_checkpoints c
             JOIN projection_registry r ON r.name = c.name AND r.active_generation = c.generation
            WHERE c.name = ANY($1::text[])`,
          [projections.filter((projection) => projection.eventTypes.includes('ContactRecorded')).map((projection) => projection.name)],
        );
        const cursors = rows.map((row) => ({ transactionId: row.transaction_id, position: row.position }));
        const slowest = cursors.reduce((a, b) => (compareCursors(a, b) <= 0 ? a : b));
        const now = performance.now();
        for (let index = pending.length - 1; index >= 0; index -= 1) {
          if (compareCursors(pending[index]!.cursor, slowest) <= 0) lags.push(now - pending.splice(index, 1)[0]!.at);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const interval = 1000 / COMMANDS_PER_SEC;
    const loadStarted = performance.now();
    let sent = 0;
    const inflight = new Set<Promise<void>>();
    while (performance.now() - loadStarted < LOAD_SECONDS * 1000) {
      const due = Math.floor((performance.now() - loadStarted) / interval);
      while (sent < due) {
        sent += 1;
        const id = ids[Math.floor(random() * ids.length)]!;
        const write = store
          .appendToStream(`parcours-${id}`, [{ eventId: randomUUID(), type: 'ContactRecorded', data: { contactId: randomUUID(), channel: 'phone', contactedOn: TODAY, partnerId: PARTNERS[2]!.id }, metadata: { actor: { userId: 'bench' }, correlationId: randomUUID(), occurredAt: TODAY } }], { expectedVersion: 'any' })
          .then((result) => {
            const last = result.events[result.events.length - 1]!;
            pending.push({ cursor: { transactionId: last.transactionId, position: last.globalPosition }, at: performance.now() });
          })
          .finally(() => inflight.delete(write));
        inflight.add(write);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inflight);
    stop = true;
    await watcher;
    await Promise.all(runners.map((runner) => runner.stop()));
    const achieved = sent / ((performance.now() - loadStarted) / 1000);

    const results = {
      database: bench.label,
      events: rawRead,
      parcours: PARCOURS,
      rebuildAll: { ours: round2(ours), raw: round2(rawRate), ratio: round2(ours / rawRate), unit: 'ev/s' },
      lagP50Ms: round2(percentile(lags, 50)),
      lagP99Ms: round2(percentile(lags, 99)),
      writeLoad: { commandsPerSec: round2(achieved), seconds: LOAD_SECONDS },
    };
    console.log(`\nbench:projections — ${bench.label}`);
    console.table({ rebuildAll: results.rebuildAll });
    console.table({ lag: { p50Ms: results.lagP50Ms, p99Ms: results.lagP99Ms, commandsPerSec: results.writeLoad.commandsPerSec } });
    console.log(`written to ${writeResults('projections', results)}`);
  } finally {
    await store.stop();
    await bench.close();
  }
}

await main();
