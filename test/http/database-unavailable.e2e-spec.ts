import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { loadOrCreateSigningKey, mintToken } from '../../src/partners/auth/signing-key.js';
import { seedConsortium } from '../support/consortium.js';
import { json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { freePort, startPrivatePostgres } from '../support/private-postgres.js';
import { startApp } from '../support/test-app.js';
import { databaseTargets } from '../support/test-database.js';

const ROOT = join(import.meta.dirname, '../..');

/** Runs the real entry point (src/main.ts) until it exits; answers its exit code and what it wrote. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spie-main-'));
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, MASTER_KEY: randomBytes(32).toString('base64'), BLIND_INDEX_KEY: randomBytes(32).toString('base64'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('a PostgreSQL server that cannot be reached at start', () => {
  it('is retried with a message naming host:port and the error, then the start fails with a clear line and exit code 1', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runMain({
      DATABASE_URL: `postgres://spie:never-in-a-log@127.0.0.1:${port}/spie`,
      DATABASE_CONNECT_RETRY_SECONDS: '2',
    });
    expect(code).toBe(1);
    const retries = stdout.split('\n').filter((line) => line.includes(`PostgreSQL server at 127.0.0.1:${port}/spie unreachable (ECONNREFUSED`));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]).toContain('retrying in 250 ms, for up to 2 s');
    expect(stderr).toContain(`spie-parcours could not start: cannot reach the PostgreSQL server at 127.0.0.1:${port}/spie (ECONNREFUSED`);
    expect(stderr).toContain('check DATABASE_URL and that the server is up');
    expect(`${stdout}${stderr}`).not.toContain('never-in-a-log');
  });

  it('gives up on a server that accepts the connection but never answers, after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const { code, stderr } = await runMain({
        DATABASE_URL: `postgres://spie@127.0.0.1:${port}/spie`,
        DATABASE_CONNECT_TIMEOUT_MS: '200',
        DATABASE_CONNECT_RETRY_SECONDS: '1',
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`cannot reach the PostgreSQL server at 127.0.0.1:${port}/spie \\(.*timeout`));
      expect(sockets.length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe.each(databaseTargets())('database timeouts and outages on $name', (target) => {
  // PGlite has nothing to time out: it ignores statement_timeout (no timer interrupt), and its one
  // connection never waits for a lock nor stays idle in a transaction for another's sake.
  if (target.name === 'pglite') return;

  let running: Awaited<ReturnType<typeof startApp>>;
  let consortium: Awaited<ReturnType<typeof seedConsortium>>;
  let locker: pg.Client;

  beforeAll(async () => {
    running = await startApp({ DATABASE_LOCK_TIMEOUT_MS: '3000', READINESS_TIMEOUT_MS: '300' });
    consortium = await seedConsortium(running);
  });

  beforeEach(async () => {
    locker = new pg.Client({ connectionString: running.database!.url });
    await locker.connect();
  });

  afterEach(async () => {
    await locker.end();
  });

  afterAll(async () => {
    await running.close();
  });

  it('gives every connection of the service its statement, lock and idle-in-transaction timeouts', async () => {
    const db = running.app.get(SqlClient);
    expect(await db.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '30s' }]);
    expect(await db.query('SHOW lock_timeout')).toEqual([{ lock_timeout: '3s' }]);
    expect(await db.query('SHOW idle_in_transaction_session_timeout')).toEqual([{ idle_in_transaction_session_timeout: '1min' }]);
  });

  it('answers a write blocked by a held lock with 503 and Retry-After while the lock is still held, and writes nothing', async () => {
    const count = async () => (await running.app.get(SqlClient).query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n;
    const before = await count();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    let response: Response;
    try {
      // The lock is released only after the answer: without a lock timeout, this would wait forever.
      response = await fetch(`${running.baseUrl}/v1/parcours`, {
        method: 'POST',
        headers: { ...(await consortium.as(consortium.departement.members.orientation_manager)), 'content-type': 'application/json' },
        body: JSON.stringify(anOpening({ identity: { firstName: 'Léa', lastName: 'Martin', birthDate: '1990-04-12' }, entryOn: '2026-01-05' })),
      });
    } finally {
      await locker.query('ROLLBACK');
    }
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await json(response)).toMatchObject({ status: 503, code: 'database_busy' });
    expect(await count()).toBe(before);
  });

  it('answers readiness 503 within READINESS_TIMEOUT_MS when a check hangs on a lock, naming the check', async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE');
    let response: Response;
    try {
      response = await fetch(`${running.baseUrl}/health/ready`);
    } finally {
      await locker.query('ROLLBACK');
    }
    expect(response.status).toBe(503);
    expect(await json(response)).toMatchObject({
      code: 'service_unavailable',
      checks: { error: { migrations: { status: 'down', message: 'no answer within 300 ms' } }, info: { database: { status: 'up' } } },
    });
    expect((await fetch(`${running.baseUrl}/health/ready`)).status).toBe(200);
  });

  it('answers 503 with Retry-After (never 500) while it is down, and serves again once it is back', async () => {
    const server = await startPrivatePostgres();
    const dataDir = mkdtempSync(join(tmpdir(), 'spie-outage-'));
    let app: NestFastifyApplication | undefined;
    try {
      const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: server.url, MASTER_KEY: randomBytes(32).toString('base64'), BLIND_INDEX_KEY: randomBytes(32).toString('base64') });
      app = await createApp(config);
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address();
      const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      // Each time somebody else, who is no member: the service must ask the database (it remembers
      // an answer for a few seconds).
      const key = await loadOrCreateSigningKey(dataDir);
      let caller = 0;
      const me = async () => {
        const token = await mintToken(key, { subject: `nobody-${(caller += 1)}`, issuer: config.oidcIssuer, audience: config.oidcAudience });
        return fetch(`${baseUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      };
      expect((await me()).status).toBe(403);

      server.stop();
      for (const response of [await me(), await me(), await fetch(`${baseUrl}/health/ready`)]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
      const down = await me();
      expect(down.headers.get('retry-after')).toBe('10');
      expect(await json(down)).toMatchObject({ status: 503, code: 'database_unavailable' });
      // The probe is public: the kind of failure, not the driver's message with the server's address.
      const ready = await json(await fetch(`${baseUrl}/health/ready`));
      expect(ready).toMatchObject({ checks: { error: { database: { status: 'down', message: 'database unavailable' } } } });
      expect(JSON.stringify(ready)).not.toContain('127.0.0.1');

      server.start();
      expect((await me()).status).toBe(403);
      expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await app?.close();
      server.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
