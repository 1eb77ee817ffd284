/**
 * What the drills share: PostgreSQL clusters of their own (Debian's initdb/pg_ctl, in a temporary
 * folder, on their own port: never the machine's shared server), the service as a child process,
 * clients that send commands with an Idempotency-Key and retry until answered, and the checks of
 * what was acknowledged against what is stored.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStore } from '../src/audit/verify.js';
import { PARCOURS_UPCASTERS } from '../src/parcours/domain/upcasters.js';
import { UpcasterRegistry } from '../src/event-store/upcasters.js';
import { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import { loadOrCreateSigningKey, mintToken } from '../src/partners/auth/signing-key.js';
import { rebuildProjections } from '../src/projections/rebuild.js';
import { projectionsFor } from '../src/read-models.js';
import type { SqlClient } from '../src/database/sql-client.js';

export const ROOT = join(import.meta.dirname, '..');
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const AS_ROOT = process.getuid?.() === 0;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

export function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Runs a PostgreSQL tool (as `postgres` when we are root: the server refuses to run as root). */
export function pgTool(tool: string, args: string[], options: { allowFailure?: boolean } = {}): string {
  const [command, fullArgs] = AS_ROOT ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args];
  const result = spawnSync(command, fullArgs, { encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  if (result.status !== 0 && !options.allowFailure) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A folder the `postgres` user may write in. */
export function postgresFolder(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  if (AS_ROOT) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  return root;
}

/** A PostgreSQL cluster of the drill's own, with fsync on (a crash drill measures durability). */
export class Cluster {
  readonly data: string;
  readonly url: string;

  private constructor(
    readonly root: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
  ) {
    this.data = join(root, 'data');
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  static create(port: number, settings: Record<string, string> = {}): Cluster {
    const cluster = new Cluster(postgresFolder('spie-drill-pg-'), port, settings);
    pgTool('initdb', ['-D', cluster.data, '-A', 'trust', '-U', 'postgres']);
    cluster.start();
    return cluster;
  }

  start(): void {
    const options = [`-p ${this.port}`, '-c listen_addresses=127.0.0.1', `-k ${this.root}`, ...Object.entries(this.settings).map(([name, value]) => `-c ${name}=${value}`)];
    pgTool('pg_ctl', ['-D', this.data, '-l', join(this.root, 'server.log'), '-w', '-t', '120', '-o', options.join(' '), 'start']);
  }

  /**
   * A crash of the database server: SIGKILL to the postmaster and every process of it at the same
   * instant (no shutdown checkpoint, nothing flushed that was not already), then waits for them to
   * be gone so that it can start again (crash recovery from the WAL).
   */
  kill(): void {
    const pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    for (const each of [pid, ...children]) {
      try {
        process.kill(each, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const each of [pid, ...children]) while (existsSync(`/proc/${each}`) && !isZombie(each)) spawnSync('sleep', ['0.02']);
    // A killed postmaster may stay a zombie here (nobody reaps it in a container), and PostgreSQL
    // takes a pid that still exists for a running server: as after a reboot, the file is stale.
    for (const stale of [join(this.data, 'postmaster.pid'), join(this.root, `.s.PGSQL.${this.port}.lock`), join(this.root, `.s.PGSQL.${this.port}`)]) rmSync(stale, { force: true });
  }

  destroy(): void {
    pgTool('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop'], { allowFailure: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').split(')')[1] ?? '');
  } catch {
    return true;
  }
}

/** The service (dist/src/main.js) as a child process, started and killed at will. */
export class Service {
  private child: ChildProcess | undefined;
  /** Times the process ended without being asked to (it must not: a database outage is answered 503). */
  unexpectedExits = 0;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly url: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('exit', (code, signal) => {
      if (this.child === child && signal !== 'SIGKILL' && signal !== 'SIGTERM') {
        this.unexpectedExits += 1;
        log(`the service exited on its own (code ${code}, signal ${signal}): ${stderr}`);
      }
    });
    this.child = child;
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service did not start: ${stderr}`);
      if (Date.now() - started > 180_000) throw new Error(`the service did not answer /health within 180 s: ${stderr}`);
      try {
        if ((await fetch(`${this.url}/health`)).status === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL: no shutdown hook runs, whatever was under way is cut. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const ended = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await ended;
  }
}

/** The environment of a service on this database (DATABASE_URL unset: PGlite in dataDir). */
export function serviceEnv(options: { port: number; dataDir: string; masterKey: string; databaseUrl?: string; extra?: Record<string, string> }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: String(options.port),
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    MASTER_KEY: options.masterKey,
    // As stable as the master key across the drill's restarts, and distinct from it.
    BLIND_INDEX_KEY: createHash('sha256').update(`blind-index:${options.masterKey}`).digest('base64'),
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000000',
    // Quick to see a projection caught up, quick to give up on a dead server's connection.
    SUBSCRIPTION_POLL_MS: '100',
    DATABASE_CONNECT_TIMEOUT_MS: '2000',
    ...options.extra,
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  return env;
}

/** The CLI on the service's environment (migrate, bootstrap: before the first start on PGlite). */
export function cli(env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'dist/src/cli.js'), ...args], { env, encoding: 'utf8' }).trim();
}

export interface Caller {
  partnerId: string;
  headers: Record<string, string>;
}

/** The schema and the first organisation with its administrator (the CLI; before the first start on PGlite). */
export function bootstrap(env: NodeJS.ProcessEnv): void {
  cli(env, 'migrate');
  cli(env, 'partners', 'bootstrap', '--name', 'Conseil départemental du Puy-de-Dôme', '--kind', 'departement', '--territory', 'cc-thiers-dore-et-montagne', '--admin-sub', 'drill-admin', '--admin-name', 'Drill');
}

/** A caseworker of the first organisation, added by its administrator, with a real token. */
export async function caseworker(url: string, dataDir: string): Promise<Caller> {
  const key = await loadOrCreateSigningKey(dataDir);
  const token = (subject: string) => mintToken(key, { subject, issuer: 'spie-parcours-local', audience: 'spie-parcours', ttlSeconds: 36_000 });
  const admin = { authorization: `Bearer ${await token('drill-admin')}`, 'content-type': 'application/json' };
  const me = (await (await fetch(`${url}/v1/me`, { headers: admin })).json()) as { organisation: { id: string } };
  const partnerId = me.organisation.id;
  const added = await fetch(`${url}/v1/partners/${partnerId}/members`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ userId: 'drill-caseworker', displayName: 'Drill Caseworker', roles: ['orientation_manager', 'referent'] }),
  });
  if (added.status >= 300 && added.status !== 409) throw new Error(`cannot add the caseworker: ${added.status} ${await added.text()}`);
  return { partnerId, headers: { authorization: `Bearer ${await token('drill-caseworker')}`, 'content-type': 'application/json' } };
}

/** A command the service acknowledged (2xx): what must be found exactly once in the store. */
export interface Acknowledged {
  kind: 'open' | 'contact';
  parcoursId: string;
  contactId?: string;
}

export interface Tally {
  acknowledged: Acknowledged[];
  /** When each acknowledgment arrived (ms since the epoch), in order. */
  acknowledgedAt: number[];
  /** Answers of each status (network failures under 0). */
  statuses: Map<number, number>;
  refused: number;
  /** 503 answers without Retry-After (there must be none). */
  withoutRetryAfter: number;
}

export function newTally(): Tally {
  return { acknowledged: [], acknowledgedAt: [], statuses: new Map(), refused: 0, withoutRetryAfter: 0 };
}

/**
 * Clients that each open a parcours, then record contacts on it (now and then another opening),
 * every command with its own Idempotency-Key, re-sent (same key, same body) until it is answered:
 * a network failure or a 5xx is not an answer. `stop()` lets each finish the command under way.
 */
export class Clients {
  private stopping = false;
  private readonly running: Array<Promise<void>> = [];

  constructor(
    private readonly url: () => string,
    private readonly caller: Caller,
    readonly tally: Tally,
  ) {}

  start(count: number): void {
    for (let index = 0; index < count; index += 1) this.running.push(this.loop(index));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.splice(0));
  }

  private async loop(index: number): Promise<void> {
    let parcoursId: string | undefined;
    let contacts = 0;
    while (!this.stopping) {
      if (!parcoursId || contacts >= 8) {
        parcoursId = await this.open(`drill-${index}`);
        contacts = 0;
      } else {
        await this.contact(parcoursId);
        contacts += 1;
      }
    }
  }

  /**
   * Opens a parcours for a new person (one open parcours per person: each opening names its own,
   * the same in every retry of it); answers its id (undefined if refused).
   */
  async open(label: string): Promise<string | undefined> {
    const answer = await this.send('/v1/parcours', {
      identity: { firstName: 'Prénom', lastName: `Nom ${label} ${randomUUID().slice(0, 8)}`, birthDate: '1988-04-12' },
      householdRole: 'demandeur',
      rsaSocle: true,
      entryOn: '2026-01-05',
      territory: 'cc-thiers-dore-et-montagne',
      source: 'caf',
    });
    if (!answer) return undefined;
    const parcoursId = (answer as { parcoursId: string }).parcoursId;
    this.tally.acknowledged.push({ kind: 'open', parcoursId });
    this.tally.acknowledgedAt.push(Date.now());
    return parcoursId;
  }

  async contact(parcoursId: string): Promise<void> {
    const contactId = randomUUID();
    const answer = await this.send(`/v1/parcours/${parcoursId}/contacts`, { contactId, channel: 'phone', contactedOn: '2026-02-10', partnerId: this.caller.partnerId });
    if (answer) {
      this.tally.acknowledged.push({ kind: 'contact', parcoursId, contactId });
      this.tally.acknowledgedAt.push(Date.now());
    }
  }

  /** Sends until answered; the JSON of a 2xx, undefined for a 4xx (counted as refused). */
  private async send(path: string, body: unknown): Promise<unknown> {
    const key = randomUUID();
    for (;;) {
      let status = 0;
      try {
        const response = await fetch(`${this.url()}${path}`, {
          method: 'POST',
          headers: { ...this.caller.headers, 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        });
        status = response.status;
        this.tally.statuses.set(status, (this.tally.statuses.get(status) ?? 0) + 1);
        if (status >= 200 && status < 300) return await response.json();
        if (status < 500) {
          this.tally.refused += 1;
          log(`refused ${path}: ${status} ${await response.text()}`);
          return undefined;
        }
        if (status === 503 && !response.headers.get('retry-after')) this.tally.withoutRetryAfter += 1;
        await response.body?.cancel();
      } catch {
        this.tally.statuses.set(0, (this.tally.statuses.get(0) ?? 0) + 1);
      }
      // A 503 says Retry-After (10 s while the database is unreachable): the drill retries sooner,
      // to put as many retries as it can across the restarts.
      await sleep(status === 0 ? 50 : 100);
    }
  }
}

export interface StoreCheck {
  acknowledged: number;
  lost: number;
  duplicated: number;
  versionGaps: number;
  brokenChains: number;
}

/** What was acknowledged, against what is stored: each present exactly once; no gap; every chain verifies. */
export async function checkStore(db: SqlClient, acknowledged: readonly Acknowledged[]): Promise<StoreCheck> {
  const rows = await db.query<{ stream_id: string; type: string; contact_id: string | null }>(
    `SELECT stream_id, type, data::jsonb->>'contactId' AS contact_id FROM events WHERE category = 'parcours' AND type IN ('ParcoursOpened', 'ContactRecorded')`,
  );
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = row.type === 'ParcoursOpened' ? `open:${row.stream_id}` : `contact:${row.contact_id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let lost = 0;
  let duplicated = 0;
  for (const each of acknowledged) {
    const count = counts.get(each.kind === 'open' ? `open:parcours-${each.parcoursId}` : `contact:${each.contactId}`) ?? 0;
    if (count === 0) lost += 1;
    if (count > 1) duplicated += 1;
  }
  // Versions are positive and unique per stream: a stream has a gap when it has fewer events than its last version.
  const [gaps] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM (SELECT stream_id FROM events GROUP BY stream_id HAVING count(*) <> max(stream_version)) gaps',
  );
  const verify = await verifyStore(db);
  return { acknowledged: acknowledged.length, lost, duplicated, versionGaps: gaps!.n, brokenChains: verify.breaks.length };
}

/**
 * Every read model as the runners left it, against a rebuild from the first event (into a new
 * generation, then switched): the rows each has that the other has not, counted.
 */
export async function readModelDifferences(db: SqlClient): Promise<{ differences: number; rows: number }> {
  const projections = projectionsFor({ feedPolicyFile: undefined, continuityPolicyFile: undefined });
  const views = projections.flatMap((projection) => (projection.kind === 'document' ? [projection.name] : Object.keys(projection.views('x'))));
  const snapshot = async () => {
    const result = new Map<string, string[]>();
    for (const view of views) result.set(view, (await db.query(`SELECT * FROM ${view}`)).map((row) => JSON.stringify(row)).sort());
    return result;
  };
  const incremental = await snapshot();
  await rebuildProjections(db, new SqlEventStore(db, { upcasters: new UpcasterRegistry(PARCOURS_UPCASTERS) }), projections);
  const rebuilt = await snapshot();
  let differences = 0;
  let rows = 0;
  for (const view of views) {
    const before = incremental.get(view)!;
    const after = rebuilt.get(view)!;
    rows += after.length;
    differences += multisetDifference(before, after) + multisetDifference(after, before);
  }
  return { differences, rows };
}

function multisetDifference(a: readonly string[], b: readonly string[]): number {
  const left = new Map<string, number>();
  for (const each of b) left.set(each, (left.get(each) ?? 0) + 1);
  let missing = 0;
  for (const each of a) {
    const count = left.get(each) ?? 0;
    if (count === 0) missing += 1;
    else left.set(each, count - 1);
  }
  return missing;
}

/** Waits until /metrics shows every projection with no event left to apply. */
export async function projectionsCaughtUp(url: string, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (Date.now() - started > timeoutMs) throw new Error(`the projections did not catch up within ${timeoutMs / 1000} s`);
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      const lags = [...text.matchAll(/^spie_projection_lag_events\{[^}]*\} (\d+)/gm)].map((match) => Number(match[1]));
      if (lags.length > 0 && lags.every((lag) => lag === 0)) return;
    } catch {
      // Not answering yet.
    }
    await sleep(100);
  }
}

export function statusSummary(tally: Tally): string {
  return [...tally.statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === 0 ? 'no answer' : status}: ${count}`)
    .join(', ')
    .concat(tally.withoutRetryAfter ? `; ${tally.withoutRetryAfter} answers 503 WITHOUT Retry-After` : '');
}

/** bench/results/<name>.json, or DRILL_RESULTS_DIR/<name>.json (CI: the committed figures stay as they are). */
export function resultsFile(name: string): string {
  const dir = process.env.DRILL_RESULTS_DIR ?? join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.json`);
}

export function writeDrillResults(name: string, results: unknown): string {
  const file = resultsFile(name);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
