import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { PgSqlClient } from './pg-sql-client.js';
import { PgliteSqlClient } from './pglite-sql-client.js';
import type { SqlClient } from './sql-client.js';

/** DATABASE_URL set → the PostgreSQL server; otherwise the embedded PGlite persisted in DATA_DIR/pglite. */
export async function openDatabase(config: Pick<AppConfig, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>): Promise<SqlClient> {
  if (config.databaseUrl) {
    return new PgSqlClient({ connectionString: config.databaseUrl, poolSize: config.databasePoolSize });
  }
  return PgliteSqlClient.open(join(config.dataDir, 'pglite'));
}
