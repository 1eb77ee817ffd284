/**
 * npm run bench:intake — the intake of a CAF/MSA monthly file of BENCH_INTAKE_LINES (50 000) new
 * entrants, against the store's own batched append rate (100 events per append, as many writers
 * as the intake processes lines at once) measured in the same run, on the same database.
 * Writes bench/results/intake.json: { lines, entrantsPerSec, storeBatchedEventsPerSec, ratio }.
 *
 * An entrant costs more than an event: a blind-index look-up, a new data key wrapped and stored,
 * the identity encrypted, two events (ParcoursOpened, FollowUpMemberJoined) with the details row,
 * the blind-index rows, the journal entry and the line's record, in one statement.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { intakeFile } from './intake-file.js';
import { loadConfig } from '../src/config/app-config.js';
import { EventStore, type NewEvent } from '../src/event-store/event-store.js';
import { openIntakeContext } from '../src/intake/intake-cli.js';
import { Intake } from '../src/intake/intake.js';
import type { Principal } from '../src/access/principal.js';
import { TERRITORIES } from '../src/partners/territories/territories.js';
import { openBenchPlace, round2, writeResults } from './support.js';

const LINES = Number(process.env.BENCH_INTAKE_LINES ?? 50_000);
const STORE_MS = Number(process.env.BENCH_ROUND_MS ?? 5000);
const BATCH = 100;


/** Events per second appended by the store, `writers` side by side, BATCH events per append, each writer on its own streams. */
async function storeBatchedRate(store: EventStore, writers: number): Promise<number> {
  const event = (): NewEvent => ({
    eventId: randomUUID(),
    type: 'FollowUpMemberJoined',
    data: { partnerId: '4b1f6a1e-3c1d-4a55-9a0e-8f3c2d1b0a99', joinedOn: '2026-10-01' },
    metadata: { actor: { userId: 'bench', partnerId: '4b1f6a1e-3c1d-4a55-9a0e-8f3c2d1b0a99', role: 'coordinator' }, correlationId: randomUUID(), causationId: null, occurredAt: '2026-10-01' },
  });
  let appended = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const stream = { id: `benchstore-${randomUUID()}`, version: 0 };
      while (performance.now() - started < STORE_MS) {
        const result = await store.appendToStream(stream.id, Array.from({ length: BATCH }, event), { expectedVersion: stream.version });
        stream.version = result.nextExpectedVersion;
        appended += BATCH;
      }
    }),
  );
  return appended / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const place = await openBenchPlace('intake');
  const url = place.url;
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    DATA_DIR: place.dataDir,
    DATABASE_URL: url ?? '',
    MASTER_KEY: url ? randomBytes(32).toString('base64') : '',
    BLIND_INDEX_KEY: url ? randomBytes(32).toString('base64') : '',
    DATABASE_STATEMENT_TIMEOUT_MS: '0',
  });
  const app = await openIntakeContext(config);
  try {
    const principal: Principal = {
      kind: 'user',
      userId: 'bench-coordinator',
      partnerId: randomUUID(),
      partnerKind: 'departement',
      // The Département's coordinator: every EPCI of the file's communes (a coordinator opens parcours only where its organisation serves).
      territories: TERRITORIES.map((territory) => territory.code),
      roles: ['coordinator'],
    };
    const file = Buffer.from(intakeFile(LINES, `bench${randomBytes(3).toString('hex')}`));
    const label = url ? `PostgreSQL (${new URL(url).host})` : `PGlite (fsync ${config.pgliteFsync ? 'on' : 'off'})`;
    console.log(`bench:intake on ${label}: ${LINES} lines, ${config.intakeConcurrency} lines at once`);
    // The store first, then the intake: each on a database as empty as the other found it.
    const storeBatchedEventsPerSec = await storeBatchedRate(app.get(EventStore), config.intakeConcurrency);
    console.log(`store, ${BATCH} events per append: ${Math.round(storeBatchedEventsPerSec)} events/s`);
    let last = 0;
    const started = performance.now();
    const report = await app.get(Intake).import(file, { principal, actingRole: 'coordinator', correlationId: randomUUID() }, (done, total) => {
      if (done - last >= total / 20 || done === total) {
        last = done;
        process.stdout.write(`  ${done}/${total} lines, ${Math.round(done / ((performance.now() - started) / 1000))} lines/s\n`);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    if (report.opened !== LINES) throw new Error(`expected ${LINES} parcours opened, got ${JSON.stringify({ ...report, errors: report.errors.slice(0, 5) })}`);
    const entrantsPerSec = report.opened / seconds;
    const results = {
      lines: LINES,
      entrantsPerSec: round2(entrantsPerSec),
      storeBatchedEventsPerSec: round2(storeBatchedEventsPerSec),
      ratio: round2(entrantsPerSec / storeBatchedEventsPerSec),
      database: label,
      concurrency: config.intakeConcurrency,
      seconds: round2(seconds),
    };
    console.log(results);
    console.log(`written to ${writeResults('intake', results)}`);
  } finally {
    await app.close();
    await place.remove();
  }
}

await main();
