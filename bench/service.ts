/**
 * The built service (dist/) started for a benchmark: its own schema on DATABASE_URL's server (or a
 * fresh embedded database), migrated, bootstrapped with the Département and a platform admin, and
 * tokens signed in-process with its local key (the CLI's journaled `tokens mint` would open the
 * embedded database the running service holds).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openBenchPlace } from './support.js';
import { loadOrCreateSigningKey, mintToken } from '../src/partners/auth/signing-key.js';

export const TERRITORY = 'cc-thiers-dore-et-montagne';

export interface BenchService {
  url: string;
  label: string;
  process: ChildProcess;
  /** The Département's id. */
  partnerId: string;
  /** A signed bearer token for a member's user id. */
  token(subject: string): Promise<string>;
  /** JSON request as the bootstrap's platform admin; throws on a non-2xx answer. */
  asAdmin<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startBenchService(options: { root: string; port: number; env?: Record<string, string>; nodeArgs?: readonly string[] }): Promise<BenchService> {
  const place = await openBenchPlace('service');
  const base = process.env.DATABASE_URL;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: place.dataDir,
    PORT: String(options.port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // The load comes from one address: limits are counted but never reached.
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000000',
    MASTER_KEY: randomBytes(32).toString('base64'),
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    ...options.env,
  };
  if (place.url) env.DATABASE_URL = place.url;
  else delete env.DATABASE_URL;
  const label = base ? `PostgreSQL (${new URL(base).host})` : 'PGlite (embedded, on disk)';
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(options.root, 'dist/src/cli.js'), ...args], { env, encoding: 'utf8' });
  cli('migrate');
  cli('partners', 'bootstrap', '--name', 'Conseil départemental du Puy-de-Dôme', '--kind', 'departement', '--territory', TERRITORY, '--admin-sub', 'bench-admin', '--admin-name', 'Bench');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(options.root, 'dist/src/main.js')], { env, cwd: options.root, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${options.port}`;
  const cleanUp = async () => {
    await stopProcess(child);
    const keepDataDir = Boolean(process.env.BENCH_KEEP_DATA);
    await place.remove({ keepDataDir });
    if (keepDataDir) console.log(`data kept in ${place.dataDir}`);
  };
  try {
    await waitUntilReady(url, child);
    const signingKey = await loadOrCreateSigningKey(place.dataDir);
    const token = (subject: string) => mintToken(signingKey, { subject, issuer: 'spie-parcours-local', audience: 'spie-parcours', ttlSeconds: 36_000 });
    const adminHeaders = { authorization: `Bearer ${await token('bench-admin')}`, 'content-type': 'application/json' };
    const asAdmin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${path}`, { method, headers: adminHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    };
    const me = await asAdmin<{ organisation: { id: string } }>('GET', '/v1/me');
    return { url, label, process: child, partnerId: me.organisation.id, token, asAdmin, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** SIGTERM, then waits for the end (SIGKILL after 10 s). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after 60 s`);
}

