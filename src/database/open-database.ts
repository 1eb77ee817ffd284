import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { PgSqlClient } from './pg-sql-client.js';
import { PgliteSqlClient } from './pglite-sql-client.js';
import type { SqlClient } from './sql-client.js';

export type DatabaseConfig = Pick<
  AppConfig,
  | 'databaseUrl'
  | 'databasePoolSize'
  | 'dataDir'
  | 'pgliteFsync'
  | 'databaseStatementTimeoutMs'
  | 'databaseLockTimeoutMs'
  | 'databaseIdleInTransactionTimeoutMs'
  | 'databaseConnectTimeoutMs'
>;

/** DATABASE_URL set → the PostgreSQL server; otherwise the embedded PGlite persisted in DATA_DIR/pglite. */
export async function openDatabase(config: DatabaseConfig): Promise<SqlClient> {
  if (config.databaseUrl) {
    return new PgSqlClient({
      connectionString: config.databaseUrl,
      poolSize: config.databasePoolSize,
      timeouts: {
        statementMs: config.databaseStatementTimeoutMs,
        lockMs: config.databaseLockTimeoutMs,
        idleInTransactionMs: config.databaseIdleInTransactionTimeoutMs,
        connectMs: config.databaseConnectTimeoutMs,
      },
    });
  }
  // No timeouts on PGlite: it has no timer interrupt to cancel a statement with (SET statement_timeout
  // is accepted and ignored), and no second connection to wait for a lock or to be left idle by.

  // Created for this user only; an existing folder keeps its mode (it may be shared on purpose), what
  // the service puts in it (pglite/, keys/) is private either way.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return PgliteSqlClient.open(join(config.dataDir, 'pglite'), { fsync: config.pgliteFsync });
}
