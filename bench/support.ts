import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../src/database/migrator.js';
import { PgSqlClient } from '../src/database/pg-sql-client.js';
import { PgliteSqlClient } from '../src/database/pglite-sql-client.js';
import type { SqlClient } from '../src/database/sql-client.js';

export interface BenchDatabase {
  db: SqlClient;
  label: string;
  /** Connection string with the bench schema on the search path (PostgreSQL only). */
  url: string | undefined;
  dataDir: string | undefined;
  close(): Promise<void>;
}

/**
 * The configured database, in a throw-away place: a fresh schema on the server named by
 * DATABASE_URL, or a fresh PGlite folder. Benchmarks never touch the service's own data.
 */
export async function openBenchDatabase(name: string, poolSize = 12, options: { pgliteFsync?: boolean } = {}): Promise<BenchDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dataDir = mkdtempSync(join(tmpdir(), `spie-bench-${name}-`));
    const fsync = options.pgliteFsync ?? process.env.PGLITE_FSYNC !== 'off';
    const db = await PgliteSqlClient.open(join(dataDir, 'pglite'), { fsync });
    await migrate(db);
    return {
      db,
      label: `PGlite (embedded, on disk, fsync ${fsync ? 'on' : 'off'})`,
      url: undefined,
      dataDir,
      close: async () => {
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = await createBenchSchema(base, name);
  const db = new PgSqlClient({ connectionString: schema.url, poolSize });
  await migrate(db);
  const version = await db.query<{ server_version: string }>('SHOW server_version');
  return {
    db,
    label: `PostgreSQL ${version[0]?.server_version ?? ''} (${new URL(base).host})`,
    url: schema.url,
    dataDir: undefined,
    close: async () => {
      await db.close();
      await schema.drop();
    },
  };
}

/**
 * A fresh schema on the server named by `base` (DATABASE_URL): `url` is `base` with that schema on
 * its search path, so that a bench, or the service it starts, never touches the service's own tables.
 */
export async function createBenchSchema(base: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  // Two benches of a name may start in the same millisecond (bench:compare-api starts two services).
  const schema = `bench_${name.replaceAll('-', '_')}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await adminQuery(base, `CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => adminQuery(base, `DROP SCHEMA ${schema} CASCADE`) };
}

/** Where a bench's service (or its in-process application) keeps its data, made for that run alone. */
export interface BenchPlace {
  /** A fresh folder: the DATA_DIR (the signing key; the embedded database's files). */
  dataDir: string;
  /** DATABASE_URL with a fresh schema on its search path (createBenchSchema); undefined on the embedded database. */
  url: string | undefined;
  /** Drops the schema, then deletes the folder unless `keepDataDir`. */
  remove(options?: { keepDataDir?: boolean }): Promise<void>;
}

export async function openBenchPlace(name: string): Promise<BenchPlace> {
  const base = process.env.DATABASE_URL;
  const dataDir = mkdtempSync(join(tmpdir(), `spie-bench-${name}-`));
  const schema = base ? await createBenchSchema(base, name) : undefined;
  return {
    dataDir,
    url: schema?.url,
    remove: async (options = {}) => {
      await schema?.drop();
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One statement on the server as its administrator (a bench's own schema made or dropped). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface Figure {
  ours: number;
  raw: number;
  ratio: number;
  unit: string;
}

/** Runs `work` repeatedly for `ms` (after it ran once to warm up) and returns operations per second. */
export async function rate(ms: number, work: () => Promise<number>): Promise<number> {
  await work();
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    const operations = await work();
    done += operations;
  }
  return done / ((performance.now() - started) / 1000);
}

/**
 * Measures ours and raw in alternating rounds and keeps each side's median, so that a burst of
 * load from elsewhere on this shared machine hits both sides alike.
 */
export async function compare(rounds: number, ours: () => Promise<number>, raw: () => Promise<number>, unit: string): Promise<Figure> {
  const oursRates: number[] = [];
  const rawRates: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    rawRates.push(await raw());
    oursRates.push(await ours());
  }
  const o = median(oursRates);
  const r = median(rawRates);
  return { ours: round2(o), raw: round2(r), ratio: round2(o / r), unit };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function writeResults(name: string, results: unknown): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

export function printTable(title: string, figures: Record<string, Figure>): void {
  console.log(`\n${title}`);
  console.table(
    Object.fromEntries(
      Object.entries(figures).map(([name, figure]) => [name, { ours: figure.ours, raw: figure.raw, ratio: figure.ratio, unit: figure.unit }]),
    ),
  );
}

/** Runs `jobs`, `width` of them at a time. */
export async function inParallel(jobs: Array<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

/** One HTTP request on a kept-alive agent (cheaper for the bench than fetch); `body` as JSON, or as it is when `rawBody`. */
export function send(agent: Agent, base: string, method: string, path: string, headers: Record<string, string>, body: unknown, rawBody = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : rawBody ? (body as string) : JSON.stringify(body));
  });
}

/** `send` as JSON calls with `headers` (or others given), their answer parsed; throws on a non-2xx answer. */
export function jsonCaller(agent: Agent, base: string, headers: Record<string, string>) {
  return async <T>(method: string, path: string, body: unknown, as: Record<string, string> = headers): Promise<T> => {
    const { 'content-type': _json, ...withoutBody } = as;
    const { status, text } = await send(agent, base, method, path, body === undefined ? withoutBody : as, body);
    if (status >= 300) throw new Error(`${method} ${path}: ${status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/**
 * Starts `command` `rate` times a second for `seconds`, whatever the pace of its answers (open
 * loop: a slow answer does not slow the load down, as it would with a fixed number of clients).
 */
export async function openLoop(rate: number, seconds: number, command: () => Promise<void>): Promise<{ done: number; errors: number }> {
  let done = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const total = rate * seconds;
  for (let index = 0; index < total; index += 1) {
    const wait = started + (index * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const one: Promise<void> = command()
      .then(() => void (done += 1))
      .catch(() => void (errors += 1))
      .finally(() => pending.delete(one));
    pending.add(one);
  }
  await Promise.all(pending);
  return { done, errors };
}

/** User + system CPU time of a process, in ms (Linux /proc; undefined elsewhere, or once it has ended). */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name, in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;
