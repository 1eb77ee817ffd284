import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApp } from '../../src/app.factory.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { databaseTrouble } from '../../src/database/database-availability.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { type PrivatePostgres, freePort, startPrivatePostgres } from '../support/private-postgres.js';
import { uniqueLastName } from '../support/people.js';
import type { RunningApp } from '../support/test-app.js';

/**
 * DATABASE_URL naming several servers with target_session_attrs=read-write (a pg_auto_failover
 * formation): the service writes to the one that takes writes, answers 503 with Retry-After
 * (never 500) while none does or while the one it wrote to dies, and writes again without a
 * restart. A server of the test's own plays the nodes: one port where nothing listens (a dead
 * node), and the server, made read-only as a standby is.
 */
describe('a multi-host DATABASE_URL with target_session_attrs=read-write', () => {
  let server: PrivatePostgres;
  let dataDir: string;
  let app: NestFastifyApplication;
  let config: AppConfig;
  let baseUrl: string;
  let consortium: Consortium;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'spie-multi-host-'));
    const dead = await freePort();
    config = loadConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      MASTER_KEY: randomBytes(32).toString('base64'),
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${dead},127.0.0.1:${server.port}/postgres?target_session_attrs=read-write`,
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    consortium = await seedConsortium({ app, config } as RunningApp);
  });

  afterAll(async () => {
    await app?.close();
    server?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async () =>
    fetch(`${baseUrl}/v1/parcours`, {
      method: 'POST',
      headers: { ...(await consortium.as(consortium.departement.members.orientation_manager)), 'content-type': 'application/json' },
      body: JSON.stringify(anOpening({ identity: { firstName: 'Léa', lastName: uniqueLastName('Martin'), birthDate: '1990-04-12' } })),
    });

  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const events = () => admin(async (client) => Number((await client.query('SELECT count(*) AS n FROM events')).rows[0].n));

  /** As a standby is (or a primary being demoted): every transaction read-only, for sessions already open too. */
  async function readOnly(on: boolean): Promise<void> {
    await admin((client) => client.query(on ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only'));
    await admin((client) => client.query('SELECT pg_reload_conf()'));
    // The reload is a signal: a new session shows when it has been taken into account.
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const shown = await admin(async (client) => (await client.query('SHOW default_transaction_read_only')).rows[0].default_transaction_read_only);
      if (shown === (on ? 'on' : 'off')) return;
    }
    throw new Error('the server did not take the setting');
  }

  it('writes to the server that takes writes, past a node that is down', async () => {
    const response = await open();
    expect(response.status).toBe(201);
  });

  it('answers 503 with Retry-After while the server is read-only, writes nothing, then writes again without a restart', async () => {
    const before = await events();
    await readOnly(true);
    try {
      // The first write meets SQLSTATE 25006 on a connection already open; the next ones find no writable node.
      for (const response of [await open(), await open()]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('10');
        expect(await json(response)).toMatchObject({ status: 503, code: 'database_unavailable' });
      }
      expect(await events()).toBe(before);
    } finally {
      await readOnly(false);
    }
    expect((await open()).status).toBe(201);
  });

  it('answers 503 (never 500) to a write whose server dies in the middle of its transaction, and writes again once it is back', async () => {
    const locker = new pg.Client({ connectionString: server.url });
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    const pending = open();
    // The write's transaction is open and waiting for the lock when the server goes.
    for (let waiting = 0; waiting === 0; ) {
      const rows = await locker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'spie-parcours'");
      waiting = rows.rows[0].n;
    }
    server.crash();
    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('10');
    server.start();
    expect((await open()).status).toBe(201);
  });

  it('survives the server dying while a transaction holds a connection between two statements (no unhandled error event)', async () => {
    const db = app.get(SqlClient);
    const failure = await db
      .transaction(async (tx) => {
        await tx.query('SELECT 1');
        server.crash();
        // Long enough for the driver to see the connection end while no statement runs on it.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query('SELECT 1');
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(databaseTrouble(failure)).toBe('unavailable');
    server.start();
    expect((await open()).status).toBe(201);
  });
});
