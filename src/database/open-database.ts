import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { PgSqlClient } from './pg-sql-client.js';
import { PgliteSqlClient } from './pglite-sql-client.js';
import type { SqlClient } from './sql-client.js';

/** DATABASE_URL set → the PostgreSQL server; otherwise the embedded PGlite persisted in DATA_DIR/pglite. */
export async function openDatabase(config: Pick<AppConfig, 'databaseUrl' | 'databasePoolSize' | 'dataDir' | 'pgliteFsync'>): Promise<SqlClient> {
  if (config.databaseUrl) {
    return new PgSqlClient({ connectionString: config.databaseUrl, poolSize: config.databasePoolSize });
  }
  // Created for this user only; an existing folder keeps its mode (it may be shared on purpose), what
  // the service puts in it (pglite/, keys/) is private either way.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return PgliteSqlClient.open(join(config.dataDir, 'pglite'), { fsync: config.pgliteFsync });
}
