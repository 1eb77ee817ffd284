import { Inject, Injectable } from '@nestjs/common';
import { databaseTrouble } from '../database/database-availability.js';
import { pendingMigrations } from '../database/migrator.js';
import { type SqlDialect, SqlClient } from '../database/sql-client.js';

/** What the readiness probe asks of the database. */
@Injectable()
export class DatabaseHealth {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** The database answers a trivial statement; which kind it is. */
  async answers(): Promise<SqlDialect> {
    await this.db.query('SELECT 1');
    return this.db.dialect;
  }

  /** The migrations this version needs that the database lacks; null: the migration table is unreadable. */
  pendingMigrations(): Promise<number[] | null> {
    return pendingMigrations(this.db).catch(() => null);
  }
}

/** What a public probe says of a failed check: what kind of failure, never the driver's message (host, port, SQL). */
export function probeFailure(error: unknown): string {
  const trouble = databaseTrouble(error);
  return trouble ? `database ${trouble}` : 'check failed';
}
