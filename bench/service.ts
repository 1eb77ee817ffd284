/**
 * The built service (dist/) started for a benchmark: its own schema on DATABASE_URL's server (or a
 * fresh embedded database), migrated, bootstrapped with the Département and a platform admin, and
 * tokens signed in-process with its local key (the CLI's journaled `tokens mint` would open the
 * embedded database the running service holds).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openBenchPlace } from './support.js';
import { loadOrCreateSigningKey, mintToken } from '../src/partners/auth/signing-key.js';

export const TERRITORY = 'cc-thiers-dore-et-montagne';

export interface BenchService {
  url: string;
  label: string;
  process: ChildProcess;
  /** The service's environment (its schema, data folder and keys): more processes on the same data. */
  env: NodeJS.ProcessEnv;
  /** The Département's id. */
  partnerId: string;
  /** A signed bearer token for a member's user id. */
  token(subject: string): Promise<string>;
  /** JSON request as the bootstrap's platform admin; throws on a non-2xx answer. */
  asAdmin<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Stops the process (if still running), then drops the schema and the data folder. */
  stop(): Promise<void>;
}

export async function startBenchService(options: { root: string; port: number; env?: Record<string, string>; nodeArgs?: readonly string[] }): Promise<BenchService> {
  const place = await openBenchPlace('service');
  const base = process.env.DATABASE_URL;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: place.dataDir,
    PORT: String(options.port),
    // The service's own default: a request line per answer is part of what a request costs.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // The load comes from one organisation and one address: the limits are counted (what a request
    // costs) but never reached.
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000000',
    MASTER_KEY: randomBytes(32).toString('base64'),
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    ...options.env,
  };
  if (place.url) env.DATABASE_URL = place.url;
  else delete env.DATABASE_URL;
  const label = base ? `PostgreSQL (${new URL(base).host})` : 'PGlite (embedded, on disk)';
  const url = `http://127.0.0.1:${options.port}`;
  let child: ChildProcess | undefined;
  const cleanUp = async () => {
    await stopProcess(child);
    const keepDataDir = Boolean(process.env.BENCH_KEEP_DATA);
    await place.remove({ keepDataDir });
    if (keepDataDir) console.log(`data kept in ${place.dataDir}`);
  };
  try {
    const cli = (...args: string[]) => execFileSync(process.execPath, [join(options.root, 'dist/src/cli.js'), ...args], { env, encoding: 'utf8' });
    cli('migrate');
    cli('partners', 'bootstrap', '--name', 'Conseil départemental du Puy-de-Dôme', '--kind', 'departement', '--territory', TERRITORY, '--admin-sub', 'bench-admin', '--admin-name', 'Bench');
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(options.root, 'dist/src/main.js')], { env, cwd: options.root, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitUntilReady(`${url}/health/ready`, child);
    // Signed in-process with the local key: the CLI's journaled `tokens mint` would open the
    // database, which the running service holds on the embedded one.
    const signingKey = await loadOrCreateSigningKey(place.dataDir);
    const token = (subject: string) => mintToken(signingKey, { subject, issuer: 'spie-parcours-local', audience: 'spie-parcours', ttlSeconds: 36_000 });
    const adminHeaders = { authorization: `Bearer ${await token('bench-admin')}`, 'content-type': 'application/json' };
    const asAdmin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${path}`, { method, headers: adminHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    };
    const me = await asAdmin<{ organisation: { id: string } }>('GET', '/v1/me');
    return { url, label, process: child, env, partnerId: me.organisation.id, token, asAdmin, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** The Département's caseworker (orientation manager and référent), added by the admin: the headers of its JSON requests. */
export async function addCaseworker(service: BenchService): Promise<Record<string, string>> {
  await service.asAdmin('POST', `/v1/partners/${service.partnerId}/members`, { userId: 'bench-caseworker', displayName: 'Bench Caseworker', roles: ['orientation_manager', 'referent'] });
  return { authorization: `Bearer ${await service.token('bench-caseworker')}`, 'content-type': 'application/json' };
}

/** The body of POST /v1/parcours: a demandeur of the RSA entering on 5 January 2026, on TERRITORY. */
export function parcoursOpening(identity: { firstName: string; lastName: string; birthDate: string; email?: string }) {
  return { identity, householdRole: 'demandeur', rsaSocle: true, entryOn: '2026-01-05', territory: TERRITORY, source: 'caf' };
}

/** The body of POST /v1/parcours/{id}/contacts: the load's command, a phone contact by `partnerId`, each with its own id. */
export function contactRecording(partnerId: string) {
  return { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-02-10', partnerId };
}

/** Opens a parcours and orients it to `organismeReferentId`, whose feed then carries it; its id. */
export async function openOrientedParcours(
  call: <T>(method: string, path: string, body: unknown) => Promise<T>,
  organismeReferentId: string,
  identity: { firstName: string; lastName: string; birthDate: string },
): Promise<string> {
  const { parcoursId } = await call<{ parcoursId: string }>('POST', '/v1/parcours', parcoursOpening(identity));
  await call('POST', `/v1/parcours/${parcoursId}/orientation`, { parcoursType: 'emploi', organismeReferentId, reason: 'diagnostic_outcome', decidedOn: '2026-01-20' });
  return parcoursId;
}

/** SIGTERM, then waits for the end (SIGKILL after 10 s): the embedded database is free once it has ended. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** Waits for `probe` to answer 2xx (60 s at most); fails early if `child`, the process behind it, exits. */
export async function waitUntilReady(probe: string, child?: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child && child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await fetch(probe)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${probe} not ready after 60 s`);
}
