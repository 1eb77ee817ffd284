/**
 * npm run bench:compare-api — this checkout's service against another build of it (BENCH_BASE_DIR:
 * a worktree of another commit, built with `nest build`), side by side on the same database, in
 * short alternating segments: base, this, base, this… (BENCH_SEGMENTS of each, BENCH_SEGMENT_S
 * seconds). On a machine whose other load comes and goes, consecutive segments share it, so the
 * medians compare the two builds rather than two moments. For each: commands and reads per
 * second, p99, and the server's CPU time per request (from /proc), with this / base ratios.
 * Writes bench/results/compare-api.json. BENCH_NODE_ARGS: extra node options for both services (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them); BENCH_KINDS (`commands,reads`).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { type BenchService, addCaseworker, contactRecording, parcoursOpening, startBenchService } from './service.js';
import { median, processCpuMs, writeResults } from './support.js';

const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 8);
/** BENCH_KINDS: `commands,reads` (both, in that order: the reads then find parcours with contacts), or one of them (to profile it alone). */
const KINDS = (process.env.BENCH_KINDS ?? 'commands,reads').split(',').filter((kind): kind is 'commands' | 'reads' => kind === 'commands' || kind === 'reads');
const SEGMENT_S = Number(process.env.BENCH_SEGMENT_S ?? 5);
const CONNECTIONS = 32;
const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 1000);
const PORT = Number(process.env.BENCH_PORT ?? 3927);
const HERE = join(import.meta.dirname, '..');

interface Service extends BenchService {
  name: 'base' | 'this';
  root: string;
  headers: Record<string, string>;
  ids: string[];
}

interface Segment {
  requestsPerSec: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  non2xx: number;
}

async function main(): Promise<void> {
  const baseDir = process.env.BENCH_BASE_DIR;
  if (!baseDir) throw new Error('BENCH_BASE_DIR: the folder of the build to compare with (a worktree of another commit, built)');
  const services: Service[] = [];
  try {
    for (const [index, [name, root]] of ([['base', resolve(baseDir)], ['this', HERE]] as const).entries()) services.push(await start(name, root, PORT + index));
    const label = process.env.DATABASE_URL ? `PostgreSQL (${new URL(process.env.DATABASE_URL).host})` : 'PGlite (embedded, on disk)';
    console.log(`bench:compare-api on ${label}: ${SEGMENTS} alternating segments of ${SEGMENT_S} s each, ${CONNECTIONS} connections`);
    const results: Record<string, Record<string, unknown>> = {};
    for (const kind of KINDS) {
      const segments: Record<'base' | 'this', Segment[]> = { base: [], this: [] };
      for (let round = 0; round < SEGMENTS + 1; round += 1) {
        // Base first in even rounds, this first in odd ones: neither always follows the other.
        const order = round % 2 === 0 ? services : [...services].reverse();
        for (const service of order) {
          const segment = await measure(service, kind);
          // The first round warms both up (JIT, caches, pools): not counted.
          if (round > 0) segments[service.name].push(segment);
        }
        if (round > 0) process.stdout.write(`\r  ${kind}: ${round}/${SEGMENTS}`);
      }
      console.log();
      const base = summary(segments.base);
      const mine = summary(segments.this);
      results[kind] = {
        base,
        this: mine,
        ratio: {
          requestsPerSec: round3(mine.requestsPerSec / base.requestsPerSec),
          cpuMsPerRequest: round3(mine.cpuMsPerRequest / base.cpuMsPerRequest),
          p99Ms: round3(mine.p99Ms / base.p99Ms),
        },
        // Each round's this/base, its two segments taken back to back: how far the noise reaches.
        roundRatios: spread(segments.this.map((segment, index) => segment.requestsPerSec / segments.base[index]!.requestsPerSec)),
      };
      console.log(`  ${kind}: this/base requests/s per round ${JSON.stringify(results[kind].roundRatios)}`);
    }
    console.table(
      Object.fromEntries(
        Object.entries(results).flatMap(([kind, figures]) => [
          [`${kind} (base)`, figures.base],
          [`${kind} (this)`, figures.this],
          [`${kind} this/base`, figures.ratio],
        ]),
      ),
    );
    const baseCommit = execFileSync('git', ['-C', resolve(baseDir), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const thisCommit = execFileSync('git', ['-C', HERE, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    console.log(`written to ${writeResults('compare-api', { database: label, base: baseCommit, this: thisCommit, segments: SEGMENTS, segmentSeconds: SEGMENT_S, ...results })}`);
  } finally {
    for (const service of services) await service.stop();
  }
}

/** Median, lowest and highest of a list of ratios. */
function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: round3(sorted[Math.floor(sorted.length / 2)] ?? 0), min: round3(sorted[0] ?? 0), max: round3(sorted.at(-1) ?? 0) };
}

/** A build's service (bench/service.ts), with a caseworker and PARCOURS parcours opened through the API. */
async function start(name: Service['name'], root: string, port: number): Promise<Service> {
  const service = await startBenchService({ root, port, nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) });
  try {
    const headers = await addCaseworker(service);
    const ids: string[] = [];
    for (let startAt = 0; startAt < PARCOURS; startAt += CONNECTIONS) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(CONNECTIONS, PARCOURS - startAt) }, async (_, offset) => {
          const response = await fetch(`${service.url}/v1/parcours`, {
            method: 'POST',
            headers,
            body: JSON.stringify(parcoursOpening({ firstName: `Prénom${startAt + offset}`, lastName: `Nom${startAt + offset}`, birthDate: '1988-04-12' })),
          });
          return ((await response.json()) as { parcoursId: string }).parcoursId;
        }),
      );
      ids.push(...opened);
    }
    console.log(`  ${name}: ${root}, ${ids.length} parcours opened`);
    return { ...service, name, root, headers, ids };
  } catch (error) {
    await service.stop();
    throw error;
  }
}

async function measure(service: Service, kind: 'commands' | 'reads'): Promise<Segment> {
  let next = 0;
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const id = service.ids[next++ % service.ids.length]!;
    return kind === 'commands'
      ? {
          ...request,
          method: 'POST',
          path: `/v1/parcours/${id}/contacts`,
          body: JSON.stringify(contactRecording(service.partnerId)),
        }
      : { ...request, method: 'GET', path: `/v1/parcours/${id}` };
  };
  const before = cpuMs(service.process.pid);
  const result = await autocannon({ url: service.url, connections: CONNECTIONS, duration: SEGMENT_S, headers: service.headers, requests: [{ setupRequest }] });
  const after = cpuMs(service.process.pid);
  return {
    requestsPerSec: result.requests.average,
    p99Ms: result.latency.p99,
    cpuMsPerRequest: result.requests.total ? (after - before) / result.requests.total : 0,
    non2xx: result.non2xx + result.errors,
  };
}

/** Medians of the segments (a burst of load from elsewhere moves one segment, not the median). */
function summary(segments: Segment[]) {
  return {
    requestsPerSec: Math.round(median(segments.map((segment) => segment.requestsPerSec))),
    p99Ms: median(segments.map((segment) => segment.p99Ms)),
    cpuMsPerRequest: round3(median(segments.map((segment) => segment.cpuMsPerRequest))),
    non2xx: segments.reduce((sum, segment) => sum + segment.non2xx, 0),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The service's CPU time in ms: a comparison without it would be half a comparison, so none is made. */
function cpuMs(pid: number | undefined): number {
  const ms = processCpuMs(pid);
  if (ms === undefined) throw new Error(`no CPU time for process ${pid} (Linux /proc)`);
  return ms;
}

await main();
