import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SqlClient, SqlExecutor } from './sql-client.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: Migration[];
  alreadyApplied: number;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; it only has to be the same for every instance of the service.
const MIGRATION_LOCK_KEY = 7_311_204_001;

/** The versioned files `NNNN_name.sql`, in order. The same files run on PGlite and PostgreSQL. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql')).sort();
  const migrations = files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    return { version: Number(match[1]), name: match[2]!, sql, checksum: sha256(sql) };
  });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migrations must be numbered 0001, 0002… without gaps; found ${migration.version} at rank ${index + 1}`);
    }
  });
  return migrations;
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so that several instances
 * starting together apply each file exactly once, and a failing file leaves the schema unchanged.
 * An already applied file whose content changed is refused: the schema would silently diverge.
 */
export async function migrate(db: SqlClient, migrations = loadMigrations()): Promise<MigrationReport> {
  return db.transaction(async (tx) => {
    // Not the service's timeouts: an instance starting beside another waits for its migrations,
    // and a migration may rewrite a large table.
    await tx.exec(`SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0`);
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await appliedMigrations(tx);
    const pending: Migration[] = [];
    for (const migration of migrations) {
      const done = applied.get(migration.version);
      if (done === undefined) pending.push(migration);
      else if (done !== migration.checksum) {
        throw new Error(`migration ${migration.version}_${migration.name} was changed after it was applied`);
      }
    }
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return { applied: pending, alreadyApplied: applied.size };
  });
}

/** Versions the database still lacks (for readiness): empty when the schema is current. */
export async function pendingMigrations(db: SqlExecutor, migrations = loadMigrations()): Promise<number[]> {
  const exists = await db.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  const applied = exists[0]?.present ? await appliedMigrations(db) : new Map<number, string>();
  return migrations.filter((migration) => !applied.has(migration.version)).map((migration) => migration.version);
}

async function appliedMigrations(db: SqlExecutor): Promise<Map<number, string>> {
  const rows = await db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations');
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
