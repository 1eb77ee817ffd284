/**
 * npm run drill:crash — nothing acknowledged is ever lost, whatever dies.
 *
 * App side, on PGlite and on PostgreSQL: clients send commands over HTTP, each with an
 * Idempotency-Key and re-sent until answered, while the service is killed with SIGKILL at random
 * moments and restarted, DRILL_CYCLES times (30). Then every acknowledged command must be stored
 * exactly once, no stream may have a version gap, every hash chain must verify (the audit's
 * verify), and every read model must equal a rebuild from the first event.
 *
 * Database side: the service stays up while the drill kills its own PostgreSQL cluster (postmaster
 * and every backend, SIGKILL) under the same load and restarts it, DRILL_CYCLES times: with
 * synchronous_commit=on, 0 acknowledged commands lost. Negative control in the same run: the same
 * with synchronous_commit=off (and a WAL writer that flushes seldom) must be able to report a loss,
 * killing up to DRILL_NEGATIVE_CYCLES times (10) until it does; if it never can, the drill is not
 * measuring anything.
 *
 * Writes bench/results/crash.json. DRILL_CLIENTS (6), DRILL_PORT (3937), DRILL_PG_PORT (55431,
 * and the next two), DRILL_ONLY=pglite,postgresql,server,negative (a subset; the others' entries
 * in crash.json are kept). The service runs from dist/ (the npm script builds it first).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgSqlClient } from '../src/database/pg-sql-client.js';
import { PgliteSqlClient } from '../src/database/pglite-sql-client.js';
import type { SqlClient } from '../src/database/sql-client.js';
import {
  Clients,
  Cluster,
  Service,
  between,
  bootstrap,
  caseworker,
  checkStore,
  log,
  newTally,
  projectionsCaughtUp,
  readModelDifferences,
  resultsFile,
  serviceEnv,
  sleep,
  statusSummary,
  writeDrillResults,
} from './support.js';

const CYCLES = Number(process.env.DRILL_CYCLES ?? 30);
const NEGATIVE_CYCLES = Number(process.env.DRILL_NEGATIVE_CYCLES ?? 10);
const CLIENTS = Number(process.env.DRILL_CLIENTS ?? 6);
const PORT = Number(process.env.DRILL_PORT ?? 3937);
const PG_PORT = Number(process.env.DRILL_PG_PORT ?? 55431);
const ONLY = new Set((process.env.DRILL_ONLY ?? 'pglite,postgresql,server,negative').split(',').map((each) => each.trim()));
/** How long the load runs between two kills (ms): a random moment in this range. */
const KILL_AFTER: [number, number] = [200, 1500];

interface Setup {
  dataDir: string;
  cluster: Cluster | undefined;
  service: Service;
  clients: Clients;
  close(): Promise<void>;
}

/** The service on a fresh database (PGlite in a temporary folder, or a cluster of the drill's own), with its clients running. */
async function setUp(cluster: Cluster | undefined): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spie-drill-crash-'));
  const env = serviceEnv({ port: PORT, dataDir, masterKey: randomBytes(32).toString('base64'), databaseUrl: cluster?.url });
  bootstrap(env);
  const url = `http://127.0.0.1:${PORT}`;
  const service = new Service(env, url);
  await service.start();
  const caller = await caseworker(url, dataDir);
  const clients = new Clients(() => url, caller, newTally());
  clients.start(CLIENTS);
  return {
    dataDir,
    cluster,
    service,
    clients,
    close: async () => {
      await service.stop();
      cluster?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The clients' last commands answered, the read models caught up, the service stopped: the store as it is left. */
async function settle(setup: Setup): Promise<void> {
  await setup.clients.stop();
  await projectionsCaughtUp(setup.service.url);
  await setup.service.stop();
}

function openStore(setup: Setup): Promise<SqlClient> {
  return setup.cluster
    ? Promise.resolve(new PgSqlClient({ connectionString: setup.cluster.url, poolSize: 4 }))
    : PgliteSqlClient.open(join(setup.dataDir, 'pglite'));
}

async function appSide(kind: 'pglite' | 'postgresql') {
  log(`app side on ${kind}: ${CYCLES} SIGKILLs of the service under ${CLIENTS} clients`);
  const setup = await setUp(kind === 'postgresql' ? Cluster.create(PG_PORT) : undefined);
  try {
    for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
      await sleep(between(...KILL_AFTER));
      await setup.service.kill();
      await setup.service.start();
      if (cycle % 5 === 0 || cycle === CYCLES) log(`${kind}: ${cycle} kills, ${setup.clients.tally.acknowledged.length} commands acknowledged`);
    }
    await settle(setup);
    const db = await openStore(setup);
    try {
      const store = await checkStore(db, setup.clients.tally.acknowledged);
      const models = await readModelDifferences(db);
      log(`${kind}: ${JSON.stringify(store)}, read models: ${models.differences} differences over ${models.rows} rows; answers: ${statusSummary(setup.clients.tally)}`);
      return { cycles: CYCLES, ...store, readModelDifferences: models.differences };
    } finally {
      await db.close();
    }
  } finally {
    await setup.close();
  }
}

/** Kills the drill's own cluster under load, the service staying up; answers the loss counted after each kill. */
async function serverSide(label: string, port: number, settings: Record<string, string>, cycles: number, stopAtFirstLoss: boolean) {
  log(`${label}: up to ${cycles} SIGKILLs of PostgreSQL (${Object.entries(settings).map(([name, value]) => `${name}=${value}`).join(', ')}) under ${CLIENTS} clients`);
  const setup = await setUp(Cluster.create(port, settings));
  const cluster = setup.cluster!;
  let done = 0;
  try {
    for (let cycle = 1; cycle <= cycles; cycle += 1) {
      await sleep(between(...KILL_AFTER));
      cluster.kill();
      done = cycle;
      await sleep(between(0, 300));
      cluster.start();
      if (stopAtFirstLoss) {
        const db = await openStore(setup);
        let lost: number;
        try {
          lost = (await checkStore(db, setup.clients.tally.acknowledged)).lost;
        } finally {
          await db.close();
        }
        log(`${label}: kill ${cycle}: ${lost} of ${setup.clients.tally.acknowledged.length} acknowledged commands lost`);
        if (lost > 0) break;
      } else if (cycle % 5 === 0 || cycle === cycles) {
        log(`${label}: ${cycle} kills, ${setup.clients.tally.acknowledged.length} commands acknowledged`);
      }
    }
    await settle(setup);
    const db = await openStore(setup);
    try {
      const store = await checkStore(db, setup.clients.tally.acknowledged);
      log(`${label}: ${JSON.stringify(store)}; the service ended on its own ${setup.service.unexpectedExits} times; answers: ${statusSummary(setup.clients.tally)}`);
      if (setup.service.unexpectedExits > 0) process.exitCode = 1;
      return { cycles: done, acknowledged: store.acknowledged, lost: store.lost };
    } finally {
      await db.close();
    }
  } finally {
    await setup.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const file = resultsFile('crash');
  const results: Record<string, unknown> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  if (ONLY.has('pglite')) results.pglite = await appSide('pglite');
  if (ONLY.has('postgresql')) results.postgresql = await appSide('postgresql');
  if (ONLY.has('server')) results.postgresqlServerKill = await serverSide('PostgreSQL server kill', PG_PORT + 1, { synchronous_commit: 'on' }, CYCLES, false);
  if (ONLY.has('negative')) {
    // The WAL writer flushes what asynchronous commits leave in its buffers every wal_writer_delay:
    // at its longest, what was acknowledged just before a kill is likely still in memory.
    const negative = await serverSide('negative control', PG_PORT + 2, { synchronous_commit: 'off', wal_writer_delay: '10s' }, NEGATIVE_CYCLES, true);
    results.negativeControl = { cycles: negative.cycles, lost: negative.lost };
  }
  const ordered = Object.fromEntries(['pglite', 'postgresql', 'postgresqlServerKill', 'negativeControl'].filter((key) => key in results).map((key) => [key, results[key]]));
  console.log(JSON.stringify(ordered, null, 2));
  console.log(`written to ${writeDrillResults('crash', ordered)} in ${Math.round((Date.now() - started) / 1000)} s`);
  const failed =
    ['pglite', 'postgresql'].some((name) => {
      const entry = results[name] as Record<string, number> | undefined;
      return entry && (entry.lost || entry.duplicated || entry.versionGaps || entry.brokenChains || entry.readModelDifferences);
    }) ||
    (results.postgresqlServerKill as { lost: number } | undefined)?.lost ||
    (ONLY.has('negative') && !(results.negativeControl as { lost: number }).lost);
  if (failed) {
    console.error('drill:crash FAILED: see the figures above');
    process.exitCode = 1;
  }
}

await main();
