/**
 * npm run drill:failover — the service outlives its database server.
 *
 * A pg_auto_failover formation of the drill's own (Debian's postgresql-15-auto-failover: a
 * monitor, a primary and a standby in synchronous replication, all on this machine, in a temporary
 * folder, on ports 55434–55436, then +3 for each new try when a formation cannot be created), two `api` processes and one `worker` pointed at it with the
 * multi-host connection string the monitor gives (`target_session_attrs=read-write`), and clients
 * sending commands through both api processes, each with an Idempotency-Key and re-sent until
 * answered. Under that load the primary is failed twice: its node is killed with SIGKILL (keeper
 * and PostgreSQL, as a machine dies), then — once it is back as a standby — a
 * `pg_autoctl perform failover` switches the roles. The service is never restarted.
 *
 * Measures: acknowledged commands lost (must be 0), the longest time without an acknowledged write
 * around a switch, 500 and 503 answers, whether any service process had to be restarted, and how
 * long the worker takes to catch up once the load stops. Writes bench/results/failover.json.
 *
 * The monitor is tuned to fail over in seconds rather than its defaults' ~30 s (health checks
 * every second, a node unhealthy after 2 s, the old primary's demotion awaited 2 s): see README,
 * Deployment. DRILL_CLIENTS (4), DRILL_PORT (3937, then 3938 and the worker's 3939),
 * DRILL_FAILOVER_PORT (55434, then the nodes'), DRILL_STEADY_MS (3000: load before and after each switch).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PgSqlClient } from '../src/database/pg-sql-client.js';
import { Clients, PG_BIN, Service, bootstrap, caseworker, checkStore, log, newTally, postgresFolder, projectionsCaughtUp, serviceEnv, sleep, statusSummary, writeDrillResults } from './support.js';

const run = promisify(execFile);
const CLIENTS = Number(process.env.DRILL_CLIENTS ?? 4);
const PORT = Number(process.env.DRILL_PORT ?? 3937);
const MONITOR_PORT = Number(process.env.DRILL_FAILOVER_PORT ?? 55434);
const FORMATION_ATTEMPTS = 3;
const STEADY_MS = Number(process.env.DRILL_STEADY_MS ?? 3000);
const AS_ROOT = process.getuid?.() === 0;
const SOCKETS = '/var/run/postgresql';

interface NodeState {
  name: string;
  port: number;
  assigned: string;
  reported: string;
}

/** A pg_auto_failover formation in a temporary folder: every process of it is a descendant of one we spawned. */
class Formation {
  readonly root = postgresFolder('spie-drill-failover-');
  readonly monitorData = join(this.root, 'monitor');
  readonly monitorUrl: string;
  readonly nodes: { name: string; port: number }[];
  // Set in the constructor, not as field initialisers: those would run before a parameter property is assigned.
  constructor(readonly monitorPort: number) {
    this.monitorUrl = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover?sslmode=disable`;
    this.nodes = [
      { name: 'node1', port: monitorPort + 1 },
      { name: 'node2', port: monitorPort + 2 },
    ];
  }
  private readonly keepers = new Map<string, ChildProcess>();

  /** pg_autoctl as `postgres`, its configuration and state under the temporary folder. */
  private command(args: string[]): [string, string[]] {
    const env = [`XDG_CONFIG_HOME=${join(this.root, 'config')}`, `XDG_DATA_HOME=${join(this.root, 'share')}`, `PATH=${PG_BIN}:${process.env.PATH}`];
    return AS_ROOT ? ['runuser', ['-u', 'postgres', '--', 'env', ...env, 'pg_autoctl', ...args]] : ['env', [...env, 'pg_autoctl', ...args]];
  }

  async autoctl(...args: string[]): Promise<string> {
    const [command, full] = this.command(args);
    return (await run(command, full, { encoding: 'utf8', timeout: 120_000 })).stdout;
  }

  /** `pg_autoctl run` for one node (or the monitor), in the background, logging to the folder. */
  private keep(name: string, data: string): void {
    const [command, full] = this.command(['run', '--pgdata', data]);
    const out = openSync(join(this.root, `${name}.log`), 'a');
    this.keepers.set(name, spawn(command, full, { stdio: ['ignore', out, out] }));
  }

  async create(): Promise<void> {
    await this.autoctl('create', 'monitor', '--pgdata', this.monitorData, '--pgport', String(this.monitorPort), '--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl');
    this.keep('monitor', this.monitorData);
    await this.waitFor(async () => {
      await this.autoctl('show', 'state', '--pgdata', this.monitorData);
      return true;
    });
    // Fail over in seconds: a health check every second, a node unhealthy after 2 s without one,
    // and 2 s (not 30) for a primary that cannot be reached to demote itself before its standby is promoted.
    const settings = {
      health_check_period: 1000,
      health_check_timeout: 1000,
      health_check_max_retries: 1,
      health_check_retry_delay: 500,
      node_considered_unhealthy_timeout: 2000,
      primary_demote_timeout: 2000,
    };
    for (const [name, value] of Object.entries(settings)) await this.psql(this.monitorPort, 'pg_auto_failover', `ALTER SYSTEM SET pgautofailover.${name} = ${value}`);
    await this.psql(this.monitorPort, 'pg_auto_failover', 'SELECT pg_reload_conf()');
    for (const node of this.nodes) {
      const data = join(this.root, node.name);
      await this.autoctl('create', 'postgres', '--pgdata', data, '--pgport', String(node.port), '--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--auth', 'trust', '--no-ssl', '--monitor', this.monitorUrl, '--dbname', 'spie', '--name', node.name);
      // The standby gives up on its WAL receiver after 1 s (5 by default) when it is promoted.
      await this.autoctl('config', 'set', '--pgdata', data, 'timeout.prepare_promotion_walreceiver', '1');
      this.keep(node.name, data);
      await this.waitFor(async () => (await this.state()).filter((each) => each.reported === each.assigned && ['single', 'primary', 'secondary'].includes(each.reported)).length === this.nodes.indexOf(node) + 1);
    }
    await this.waitFor(async () => this.settled());
  }

  private async psql(port: number, database: string, sql: string): Promise<void> {
    await run(join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-qAtc', sql]);
  }

  /** `pg_autoctl show state`: Name | Node | Host:Port | TLI: LSN | Connection | Reported State | Assigned State. */
  async state(): Promise<NodeState[]> {
    const lines = (await this.autoctl('show', 'state', '--pgdata', this.monitorData)).split('\n').slice(2);
    return lines
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .filter((cells) => cells.length === 7)
      .map(([name, , hostPort, , , reported, assigned]) => ({ name: name!, port: Number(hostPort!.split(':').at(-1)), reported: reported!, assigned: assigned! }));
  }

  /** One primary and one secondary, each where the monitor wants it. */
  async settled(): Promise<boolean> {
    const nodes = await this.state();
    return nodes.length === 2 && nodes.every((node) => node.reported === node.assigned) && nodes.some((node) => node.reported === 'primary') && nodes.some((node) => node.reported === 'secondary');
  }

  async primary(): Promise<string | undefined> {
    // A dead node keeps the last state it reported: the monitor's assignment says who the primary is.
    return (await this.state()).find((node) => node.reported === node.assigned && (node.reported === 'primary' || node.reported === 'wait_primary'))?.name;
  }

  /** The connection string the monitor gives, with our user, and without TLS (the nodes run --no-ssl). */
  async uri(): Promise<string> {
    const uri = (await this.autoctl('show', 'uri', '--formation', 'default', '--pgdata', this.monitorData)).trim();
    return uri.replace('postgres://', 'postgres://postgres@').replace('sslmode=prefer', 'sslmode=disable');
  }

  /** A node's machine dies: SIGKILL to its keeper and every process under it, at once. */
  kill(name: string): void {
    const keeper = this.keepers.get(name);
    if (!keeper?.pid) return;
    for (;;) {
      const tree = descendants(keeper.pid);
      if (tree.length === 0) break;
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
    this.keepers.delete(name);
    // What a reboot would have cleared: the lock files of processes that are gone.
    const port = this.nodes.find((each) => each.name === name)?.port ?? this.monitorPort;
    rmSync(join(this.root, name, 'postmaster.pid'), { force: true });
    rmSync(join(SOCKETS, `.s.PGSQL.${port}.lock`), { force: true });
    rmSync(join(SOCKETS, `.s.PGSQL.${port}`), { force: true });
    for (const file of findFiles(join(tmpdir(), 'pg_autoctl'), (path) => path.includes(`${this.root.slice(1)}/${name}`) && path.endsWith('.pid'))) rmSync(file, { force: true });
  }

  /** The killed node's machine is back: its keeper rejoins the formation (as a standby, rewound). */
  restart(name: string): void {
    this.keep(name, join(this.root, name));
  }

  async waitFor(condition: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      try {
        if (await condition()) return;
      } catch {
        // Not up yet.
      }
      if (Date.now() - started > timeoutMs) throw new Error(`the formation did not settle in ${timeoutMs / 1000} s: ${JSON.stringify(await this.state().catch(() => 'no state'))}`);
      await sleep(250);
    }
  }

  destroy(): void {
    for (const name of [...this.keepers.keys()]) this.kill(name);
    // A `pg_autoctl create` that failed leaves its own PostgreSQL behind, under no keeper of ours.
    for (const pid of processesUnder(this.root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    rmSync(this.root, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'pg_autoctl', this.root.slice(1)), { recursive: true, force: true });
    for (const port of [this.monitorPort, ...this.nodes.map((node) => node.port)]) {
      rmSync(join(SOCKETS, `.s.PGSQL.${port}.lock`), { force: true });
      rmSync(join(SOCKETS, `.s.PGSQL.${port}`), { force: true });
    }
  }
}

/** The processes whose command line names a path under `root` (from /proc). */
function processesUnder(root: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(root);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A process and all under it (from /proc), deepest last. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Ended meanwhile.
    }
  }
  const alive = existsSync(`/proc/${root}`) && !readFileSync(`/proc/${root}/stat`, 'utf8').includes(') Z ');
  const result: number[] = alive ? [root] : [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

function findFiles(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter(keep);
}

interface Switch {
  how: string;
  /** From the failure to the first write acknowledged after it, and the gap between the writes around it. */
  secondsWithoutWrite: number;
  newPrimary: string | undefined;
}

async function main(): Promise<void> {
  const started = Date.now();
  let formation = new Formation(MONITOR_PORT);
  const dataDir = mkdtempSync(join(tmpdir(), 'spie-drill-failover-app-'));
  mkdirSync(dataDir, { recursive: true });
  const services: Service[] = [];
  try {
    log('creating the formation: monitor, primary, standby (synchronous)');
    // What is drilled is the service through a failover, not pg_autoctl's own set-up, which has
    // been seen to fail once on a loaded machine (a standby whose PostgreSQL never started): a
    // formation that cannot be created is made again from nothing, on other ports, and said so.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await formation.create();
        break;
      } catch (error) {
        if (attempt === FORMATION_ATTEMPTS) throw error;
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        log(`the formation could not be created (attempt ${attempt} of ${FORMATION_ATTEMPTS}): ${message}; trying again from nothing`);
        formation.destroy();
        formation = new Formation(MONITOR_PORT + 3 * attempt);
      }
    }
    const uri = await formation.uri();
    log(`formation ready: ${JSON.stringify(await formation.state())}; DATABASE_URL=${uri}`);

    const masterKey = randomBytes(32).toString('base64');
    const apiUrls = [0, 1].map((index) => `http://127.0.0.1:${PORT + index}`);
    const workerUrl = `http://127.0.0.1:${PORT + 2}`;
    const env = (extra: Record<string, string>) => serviceEnv({ port: PORT, dataDir, masterKey, databaseUrl: uri, extra });
    bootstrap(env({}));
    services.push(new Service(env({ PROCESS_ROLE: 'api', PORT: String(PORT) }), apiUrls[0]!));
    services.push(new Service(env({ PROCESS_ROLE: 'api', PORT: String(PORT + 1) }), apiUrls[1]!));
    services.push(new Service(env({ PROCESS_ROLE: 'worker', WORKER_PORT: String(PORT + 2) }), workerUrl));
    for (const service of services) await service.start();
    const pids = services.map((service) => service.pid);
    const caller = await caseworker(apiUrls[0]!, dataDir);
    let next = 0;
    const clients = new Clients(() => apiUrls[next++ % apiUrls.length]!, caller, newTally());
    const tally = clients.tally;
    clients.start(CLIENTS);
    await sleep(STEADY_MS);

    const switches: Switch[] = [];
    /**
     * Fails the primary, waits for the formation to name another, then for writes to be
     * acknowledged again, and keeps the load a while more: the longest gap between two
     * acknowledged writes from just before the failure to then is the time without a write.
     */
    const measure = async (how: string, failure: () => Promise<void>) => {
      const previous = await formation.primary();
      const at = Date.now();
      await failure();
      await formation.waitFor(async () => {
        const now = await formation.primary();
        return now !== undefined && now !== previous;
      });
      const switched = Date.now();
      while ((tally.acknowledgedAt.at(-1) ?? 0) <= switched) {
        if (Date.now() - switched > 60_000) throw new Error(`${how}: no write acknowledged within 60 s of the new primary`);
        await sleep(50);
      }
      const writesBack = tally.acknowledgedAt.find((time) => time > switched)!;
      await sleep(STEADY_MS);
      const times = tally.acknowledgedAt.filter((time) => time >= at - 1_000);
      let gap = 0;
      for (let index = 1; index < times.length; index += 1) gap = Math.max(gap, times[index]! - times[index - 1]!);
      const result = { how, secondsWithoutWrite: round1(gap / 1000), newPrimary: await formation.primary() };
      log(`${how}: new primary ${result.newPrimary} named ${round1((switched - at) / 1000)} s after the failure, writes acknowledged on it ${round1((writesBack - at) / 1000)} s after; longest time without a write: ${result.secondsWithoutWrite} s`);
      switches.push(result);
    };

    const killed = (await formation.primary())!;
    await measure(`SIGKILL of the primary (${killed}: keeper and PostgreSQL)`, async () => formation.kill(killed));
    log(`restarting ${killed}: it rejoins as a standby`);
    formation.restart(killed);
    await formation.waitFor(() => formation.settled());
    log(`formation settled again: ${JSON.stringify(await formation.state())}`);
    await sleep(STEADY_MS);
    await measure('pg_autoctl perform failover', async () => {
      await formation.autoctl('perform', 'failover', '--pgdata', formation.monitorData, '--wait', '120');
    });

    await clients.stop();
    const stopped = Date.now();
    await projectionsCaughtUp(workerUrl);
    const projectionsCaughtUpSeconds = round1((Date.now() - stopped) / 1000);
    const db = new PgSqlClient({ connectionString: uri, poolSize: 2 });
    let store;
    try {
      store = await checkStore(db, tally.acknowledged);
    } finally {
      await db.close();
    }
    const serviceRestarted = services.some((service, index) => service.unexpectedExits > 0 || service.pid !== pids[index]);
    const results = {
      acknowledged: store.acknowledged,
      lost: store.lost,
      secondsWithoutWrite: Math.max(...switches.map((each) => each.secondsWithoutWrite)),
      http500: tally.statuses.get(500) ?? 0,
      http503: tally.statuses.get(503) ?? 0,
      serviceRestarted,
      projectionsCaughtUpSeconds,
      switches,
    };
    log(`store: ${JSON.stringify(store)}; answers: ${statusSummary(tally)}`);
    console.log(JSON.stringify(results, null, 2));
    console.log(`written to ${writeDrillResults('failover', results)} in ${Math.round((Date.now() - started) / 1000)} s`);
    const other5xx = [...tally.statuses.entries()].filter(([status]) => status >= 500 && status !== 503).reduce((sum, [, count]) => sum + count, 0);
    if (results.lost || results.http500 || other5xx || tally.withoutRetryAfter || serviceRestarted || results.secondsWithoutWrite > 15 || store.duplicated || store.versionGaps || store.brokenChains) {
      console.error('drill:failover FAILED: see the figures above');
      process.exitCode = 1;
    }
  } finally {
    for (const service of services) await service.stop();
    formation.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

await main();
