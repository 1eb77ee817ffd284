/**
 * npm run bench:api — the service on the configured database, driven over HTTP by autocannon
 * (32 connections): commands, each request on its own parcours stream after a warm-up, then reads
 * of GET /v1/parcours/{id}; then the same load on the same database against a bare baseline
 * (bench/raw-server.ts), each figure with its ratio to the baseline's. Writes bench/results/api.json.
 * BENCH_PORT (default 3917; the baseline on the next port), BENCH_DURATION_S, BENCH_ROUNDS,
 * BENCH_PARCOURS, BENCH_ONLY=commands|reads, BENCH_PROFILE_DIR (CPU profiles of the service),
 * BENCH_SPLIT=1 (PostgreSQL: the same load on PROCESS_ROLE=api with a separate worker, on the port after the baseline's).
 * The long-parcours round: BENCH_LONG_PARCOURS (64) of them grown by BENCH_LONG_EVENTS (500) contacts
 * each, then the same commands and reads on them (0 skips it), with their ratio to the short round.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { addCaseworker, contactRecording, parcoursOpening, startBenchService, stopProcess, waitUntilReady } from './service.js';
import { processCpuMs, writeResults } from './support.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 3000);
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const LONG_EVENTS = Number(process.env.BENCH_LONG_EVENTS ?? 500);
const LONG_PARCOURS = Number(process.env.BENCH_LONG_PARCOURS ?? 64);
const RAW_PORT = PORT + 1;
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

async function main(): Promise<void> {
  const profile = process.env.BENCH_PROFILE_DIR ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const service = await startBenchService({ root: ROOT, port: PORT, nodeArgs: profile });
  const { url, label, env, partnerId } = service;
  let raw: ChildProcess | undefined;
  try {
    const headers = await addCaseworker(service);

    console.log(`bench:api on ${label}: opening ${PARCOURS} parcours (warm-up)…`);
    const ids: string[] = [];
    const open = (index: number) =>
      fetch(`${url}/v1/parcours`, {
        method: 'POST',
        headers,
        body: JSON.stringify(parcoursOpening({ firstName: `Prénom${index}`, lastName: `Nom${index}`, birthDate: '1988-04-12', email: `personne${index}@example.fr` })),
      }).then(async (response) => ((await response.json()) as { parcoursId: string }).parcoursId);
    for (let start = 0; start < PARCOURS; start += CONNECTIONS) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(CONNECTIONS, PARCOURS - start) }, (_, offset) => open(start + offset)))));
    }

    const only = process.env.BENCH_ONLY;
    // Commands: a contact recorded on the next parcours each time, so every request has its own stream.
    let next = 0;
    const commandRequest = (request: autocannon.Request): autocannon.Request => {
      const id = ids[next++ % ids.length]!;
      return {
        ...request,
        method: 'POST',
        path: `/v1/parcours/${id}/contacts`,
        body: JSON.stringify(contactRecording(partnerId)),
      };
    };
    let nextRead = 0;
    const readRequest = (request: autocannon.Request): autocannon.Request => ({ ...request, method: 'GET', path: `/v1/parcours/${ids[nextRead++ % ids.length]}` });
    const commands = only === 'reads' ? skipped() : await run(service.process.pid, `${url}/v1/parcours/${ids[0]}/contacts`, headers, commandRequest);
    const reads = only === 'commands' ? skipped() : await run(service.process.pid, `${url}/v1/parcours/${ids[0]}`, headers, readRequest);

    // The long round: does a command still cost the same once a parcours holds hundreds of events?
    let long: Record<string, unknown> | undefined;
    if (LONG_EVENTS > 0 && LONG_PARCOURS > 0) {
      const longIds = ids.slice(0, LONG_PARCOURS);
      console.log(`bench:api: ${longIds.length} parcours grown by ${LONG_EVENTS} contacts each…`);
      let grown = 0;
      const growRequest = (request: autocannon.Request): autocannon.Request => ({ ...commandRequest(request), path: `/v1/parcours/${longIds[grown++ % longIds.length]}/contacts` });
      const growth = await autocannon({ url, connections: CONNECTIONS, amount: longIds.length * LONG_EVENTS, headers, requests: [{ setupRequest: growRequest }] });
      if (growth.errors || growth.non2xx) console.warn(`warning: ${growth.errors} errors and ${growth.non2xx} non-2xx answers while growing the parcours`);
      let nextLong = 0;
      const longCommandRequest = (request: autocannon.Request): autocannon.Request => ({ ...commandRequest(request), path: `/v1/parcours/${longIds[nextLong++ % longIds.length]}/contacts` });
      let nextLongRead = 0;
      const longReadRequest = (request: autocannon.Request): autocannon.Request => ({ ...request, method: 'GET', path: `/v1/parcours/${longIds[nextLongRead++ % longIds.length]}` });
      const longCommands = only === 'reads' ? skipped() : await run(service.process.pid, `${url}/v1/parcours/${longIds[0]}/contacts`, headers, longCommandRequest);
      const longReads = only === 'commands' ? skipped() : await run(service.process.pid, `${url}/v1/parcours/${longIds[0]}`, headers, longReadRequest);
      long = {
        parcours: longIds.length,
        contactsAdded: LONG_EVENTS,
        commands: { ...strip(longCommands), ratioToShort: ratioOf(longCommands, commands) },
        reads: { ...strip(longReads), ratioToShort: ratioOf(longReads, reads) },
      };
    }

    // BENCH_SPLIT=1 (PostgreSQL): the same load on a PROCESS_ROLE=api process, the projection
    // runners and the jobs in a separate PROCESS_ROLE=worker, to set beside the single process above.
    let split: { commands: Figure; reads: Figure } | undefined;
    if (process.env.BENCH_SPLIT === '1' && process.env.DATABASE_URL) {
      await stopProcess(service.process);
      console.log('bench:api: the same load on an api process, with a separate worker…');
      const workerPort = PORT + 2;
      const worker = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env: { ...env, PROCESS_ROLE: 'worker', WORKER_PORT: String(workerPort) }, stdio: ['ignore', 'ignore', 'inherit'] });
      const api = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env: { ...env, PROCESS_ROLE: 'api' }, stdio: ['ignore', 'ignore', 'inherit'] });
      try {
        await waitUntilReady(`${url}/health/ready`, api);
        await waitUntilReady(`http://127.0.0.1:${workerPort}/health/ready`, worker);
        next = 0;
        nextRead = 0;
        split = {
          commands: only === 'reads' ? skipped() : await run(api.pid, `${url}/v1/parcours/${ids[0]}/contacts`, headers, commandRequest),
          reads: only === 'commands' ? skipped() : await run(api.pid, `${url}/v1/parcours/${ids[0]}`, headers, readRequest),
        };
      } finally {
        await stopProcess(api);
        await stopProcess(worker);
      }
    }


    // The baseline, same load on the same database and the same parcours, once the service has
    // stopped: the embedded database takes one process.
    await stopProcess(service.process);
    console.log('bench:api: the bare baseline (bench/raw-server.ts) on the same database…');
    raw = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(ROOT, 'bench/raw-server.ts')], {
      env: { ...env, BENCH_RAW_PORT: String(RAW_PORT) },
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const rawUrl = `http://127.0.0.1:${RAW_PORT}`;
    await waitUntilReady(`${rawUrl}/ready`, raw);
    next = 0;
    nextRead = 0;
    const rawCommands = only === 'reads' ? skipped() : await run(raw.pid, `${rawUrl}/v1/parcours/${ids[0]}/contacts`, headers, commandRequest);
    const rawReads = only === 'commands' ? skipped() : await run(raw.pid, `${rawUrl}/v1/parcours/${ids[0]}`, headers, readRequest);

    const results = {
      commands: withBaseline(commands, rawCommands),
      reads: withBaseline(reads, rawReads),
      ...(long ? { long } : {}),
      ...(split && {
        split: {
          commands: { ...withBaseline(split.commands, rawCommands), vsSingleProcess: ratioOf(split.commands, commands) },
          reads: { ...withBaseline(split.reads, rawReads), vsSingleProcess: ratioOf(split.reads, reads) },
        },
      }),
    };
    console.log(`\nbench:api — ${label}, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${DURATION_S} s`);
    console.table({
      commands: { ...strip(commands), ratio: results.commands.ratio },
      'commands (raw)': strip(rawCommands),
      reads: { ...strip(reads), ratio: results.reads.ratio },
      'reads (raw)': strip(rawReads),
      ...(long
        ? {
            'commands (long parcours)': { ...strip(long.commands as Figure), ratio: (long.commands as { ratioToShort: number }).ratioToShort },
            'reads (long parcours)': { ...strip(long.reads as Figure), ratio: (long.reads as { ratioToShort: number }).ratioToShort },
          }
        : {}),
      ...(split && {
        'commands (api + worker)': { ...strip(split.commands), vsSingleProcess: ratioOf(split.commands, commands) },
        'reads (api + worker)': { ...strip(split.reads), vsSingleProcess: ratioOf(split.reads, reads) },
      }),
    });
    console.log(`written to ${writeResults('api', { database: label, ...results })}`);
  } finally {
    await stopProcess(raw);
    await service.stop();
  }
}

/** Ours, the baseline's figures, and ours / the baseline's requests per second. */
function withBaseline(ours: Figure, raw: Figure) {
  return {
    ...strip(ours),
    raw: { requestsPerSec: raw.requestsPerSec, p50Ms: raw.p50Ms, p99Ms: raw.p99Ms, serverCpuMsPerRequest: raw.serverCpuMsPerRequest },
    ratio: ratioOf(ours, raw),
  };
}

/** One figure's throughput over another's (0 when that one is skipped). */
function ratioOf(figure: Figure, reference: Figure): number {
  return reference.requestsPerSec ? Math.round((figure.requestsPerSec / reference.requestsPerSec) * 1000) / 1000 : 0;
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
    const cpuBefore = processCpuMs(pid);
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, requests: [{ setupRequest }] });
    const cpuAfter = processCpuMs(pid);
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

await main();
