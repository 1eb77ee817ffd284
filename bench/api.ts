/**
 * npm run bench:api — the service on the configured database, driven over HTTP by autocannon
 * (32 connections): commands, each request on its own parcours stream after a warm-up, then reads
 * of GET /v1/parcours/{id}. Writes bench/results/api.json.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadOrCreateSigningKey, mintToken } from '../src/partners/auth/signing-key.js';
import { writeResults } from './support.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 3000);
const PORT = 3917;
const ROOT = join(import.meta.dirname, '..');

interface Figure {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /**
   * The server process's CPU time (user + system, from /proc) per request answered: what a request
   * costs the service, which moves far less than the throughput with the machine's other load.
   */
  serverCpuMsPerRequest?: number;
}

/** User + system CPU of a process, in ms (Linux /proc; undefined elsewhere). */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spie-bench-api-'));
  const base = process.env.DATABASE_URL;
  const schema = `bench_api_${Date.now()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(PORT),
    // The service's own default: a request line per answer is part of what a request costs.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // All the load comes from one organisation and one address: the limits are counted (what a
    // request costs) but never reached.
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000000',
    MASTER_KEY: randomBytes(32).toString('base64'),
  };
  if (base) {
    await admin(base, `CREATE SCHEMA ${schema}`);
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env.DATABASE_URL = url.toString();
  } else {
    delete env.DATABASE_URL;
  }
  const label = base ? `PostgreSQL (${new URL(base).host})` : 'PGlite (embedded, on disk)';
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(ROOT, 'dist/src/cli.js'), ...args], { env, encoding: 'utf8' }).trim();
  let server: ChildProcess | undefined;
  try {
    cli('migrate');
    cli('partners', 'bootstrap', '--name', 'Conseil départemental du Puy-de-Dôme', '--kind', 'departement', '--territory', 'cc-thiers-dore-et-montagne', '--admin-sub', 'bench-admin', '--admin-name', 'Bench');
    const profile = process.env.BENCH_PROFILE_DIR ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    server = spawn(process.execPath, [...profile, join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `http://127.0.0.1:${PORT}`;
    await waitUntilReady(url);
    // Signed in-process with the local key: the CLI's journaled `tokens mint` opens the database,
    // which the running service holds on the embedded one.
    const signingKey = await loadOrCreateSigningKey(dataDir);
    const token = (subject: string) => mintToken(signingKey, { subject, issuer: 'spie-parcours-local', audience: 'spie-parcours', ttlSeconds: 3600 });
    const adminToken = await token('bench-admin');
    const me = (await (await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { organisation: { id: string } };
    const partnerId = me.organisation.id;
    await fetch(`${url}/v1/partners/${partnerId}/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'bench-caseworker', displayName: 'Bench Caseworker', roles: ['orientation_manager', 'referent'] }),
    });
    const headers = { authorization: `Bearer ${await token('bench-caseworker')}`, 'content-type': 'application/json' };

    console.log(`bench:api on ${label}: opening ${PARCOURS} parcours (warm-up)…`);
    const ids: string[] = [];
    const open = (index: number) =>
      fetch(`${url}/v1/parcours`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          identity: { firstName: `Prénom${index}`, lastName: `Nom${index}`, birthDate: '1988-04-12', email: `personne${index}@example.fr` },
          householdRole: 'demandeur',
          rsaSocle: true,
          entryOn: '2026-01-05',
          territory: 'cc-thiers-dore-et-montagne',
          source: 'caf',
        }),
      }).then(async (response) => ((await response.json()) as { parcoursId: string }).parcoursId);
    for (let start = 0; start < PARCOURS; start += CONNECTIONS) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(CONNECTIONS, PARCOURS - start) }, (_, offset) => open(start + offset)))));
    }

    const only = process.env.BENCH_ONLY;
    // Commands: a contact recorded on the next parcours each time, so every request has its own stream.
    let next = 0;
    const commands = only === 'reads' ? skipped() : await run(server.pid, `${url}/v1/parcours/${ids[0]}/contacts`, headers, (request) => {
      const id = ids[next++ % ids.length]!;
      return {
        ...request,
        method: 'POST',
        path: `/v1/parcours/${id}/contacts`,
        body: JSON.stringify({ contactId: randomUUID(), channel: 'phone', contactedOn: '2026-02-10', partnerId }),
      };
    });
    let nextRead = 0;
    const reads = only === 'commands' ? skipped() : await run(server.pid, `${url}/v1/parcours/${ids[0]}`, headers, (request) => ({ ...request, method: 'GET', path: `/v1/parcours/${ids[nextRead++ % ids.length]}` }));

    const results = { commands, reads };
    console.log(`\nbench:api — ${label}, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${DURATION_S} s`);
    console.table(results);
    console.log(`written to ${writeResults('api', { database: label, commands: strip(commands), reads: strip(reads) })}`);
  } finally {
    server?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (base) await admin(base, `DROP SCHEMA ${schema} CASCADE`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function skipped(): Figure {
  return { requestsPerSec: 0, p50Ms: 0, p99Ms: 0, errors: 0, non2xx: 0 };
}

/** The figures, and what failed: a throughput made of errors is no throughput. */
function strip(figure: Figure): Figure {
  if (figure.errors || figure.non2xx) console.warn(`warning: ${figure.errors} errors and ${figure.non2xx} non-2xx answers in the kept round`);
  return {
    requestsPerSec: figure.requestsPerSec,
    p50Ms: figure.p50Ms,
    p99Ms: figure.p99Ms,
    errors: figure.errors,
    non2xx: figure.non2xx,
    serverCpuMsPerRequest: figure.serverCpuMsPerRequest,
  };
}

/**
 * A short warm-up of the same load (JIT, caches, connection pool), not counted, then ROUNDS
 * measured rounds; the round with the median throughput is kept, so that a burst of load from
 * elsewhere on this shared machine does not decide the figure.
 */
async function run(pid: number | undefined, url: string, headers: Record<string, string>, setupRequest: (request: autocannon.Request) => autocannon.Request): Promise<Figure> {
  await autocannon({ url, connections: CONNECTIONS, duration: 3, headers, requests: [{ setupRequest }] });
  const rounds: Figure[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const cpuBefore = cpuMs(pid);
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, requests: [{ setupRequest }] });
    const cpuAfter = cpuMs(pid);
    rounds.push({
      serverCpuMsPerRequest:
        cpuBefore === undefined || cpuAfter === undefined || !result.requests.total ? undefined : Math.round(((cpuAfter - cpuBefore) / result.requests.total) * 1000) / 1000,
      requestsPerSec: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
    });
    const last = rounds.at(-1)!;
    console.log(`  round ${round + 1}: ${last.requestsPerSec} req/s, ${last.serverCpuMsPerRequest} ms CPU/request, p50 ${last.p50Ms} ms, p99 ${last.p99Ms} ms (p99.9 ${result.latency.p99_9} ms, max ${result.latency.max} ms)`);
  }
  rounds.sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return rounds[Math.floor(rounds.length / 2)]!;
}

async function waitUntilReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the service did not become ready');
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

await main();
