import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/database/migrator.js';
import { PgSqlClient } from '../../src/database/pg-sql-client.js';
import { PgliteSqlClient } from '../../src/database/pglite-sql-client.js';
import type { SqlClient } from '../../src/database/sql-client.js';
import { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { copyPgliteTemplate } from './pglite-template.js';

export interface TestDatabase {
  db: SqlClient;
  /** For code that opens its own connections (the app, a second "instance"). Undefined on PGlite. */
  url: string | undefined;
  close(): Promise<void>;
}

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  open(options?: { migrate?: boolean; poolSize?: number }): Promise<TestDatabase>;
}

/** PGlite always; the PostgreSQL server too when DATABASE_URL is set (CI runs both). */
/**
 * The database a run tests: the server when DATABASE_URL is set, otherwise PGlite. CI runs the
 * suite once on each, so a run on the server need not repeat every suite on PGlite as well (it did,
 * and that was a third of the time of a run on the server).
 */
export function databaseTargets(): DatabaseTarget[] {
  return process.env.DATABASE_URL ? [{ name: 'postgres', open: openPostgres }] : [{ name: 'pglite', open: openPglite }];
}

/** The server if DATABASE_URL is set, otherwise PGlite: for suites that need one database, not both. */
export function defaultTarget(): DatabaseTarget {
  return databaseTargets().at(-1)!;
}

/** A test database and an event store on it. */
export interface EventStoreDatabase {
  database: TestDatabase;
  store: SqlEventStore;
}

/**
 * A database of `target` (migrated) with an event store on it. `start`: the store listens for the
 * appends of other connections, as the service's does, for the tests that wake on them (projection runners).
 */
export async function openEventStore(target: DatabaseTarget, { start = false, poolSize }: { start?: boolean; poolSize?: number } = {}): Promise<EventStoreDatabase> {
  const database = await target.open({ poolSize });
  const store = new SqlEventStore(database.db);
  if (start) await store.start();
  return { database, store };
}

/** Stops the store (a no-op if it never started) and throws the database away. */
export async function closeEventStore({ database, store }: EventStoreDatabase): Promise<void> {
  await store.stop();
  await database.close();
}

async function openPglite(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  // A copy of the template (pglite-template.ts: initialised, and migrated unless asked otherwise), thrown away at close.
  const folder = mkdtempSync(join(tmpdir(), 'spie-test-db-'));
  await copyPgliteTemplate(join(folder, 'pglite'), options.migrate === false ? 'empty' : 'migrated');
  const db = await PgliteSqlClient.open(join(folder, 'pglite'), { fsync: false });
  return {
    db,
    url: undefined,
    close: async () => {
      await db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Each test file gets its own schema, so files can run in parallel on one database. */
async function openPostgres(options: { migrate?: boolean; poolSize?: number } = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL!;
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = withSearchPath(base, schema);
  const db = new PgSqlClient({ connectionString: url, poolSize: options.poolSize ?? 10 });
  if (options.migrate !== false) await migrate(db);
  return {
    db,
    url,
    close: async () => {
      await db.close();
      const cleaner = new pg.Client({ connectionString: base });
      await cleaner.connect();
      await cleaner.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleaner.end();
    },
  };
}

export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}
