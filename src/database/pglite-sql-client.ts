import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor, SqlSession, Statement } from './sql-client.js';

/**
 * The embedded PostgreSQL. PGlite has a single connection: it queues queries itself and a
 * transaction holds it exclusively, so concurrency tests that need several sessions only make
 * sense against a server.
 */
export class PgliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  /** `dataDir` undefined → in memory (tests); otherwise persisted in that folder (created if missing). */
  static async open(dataDir?: string): Promise<PgliteSqlClient> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create({
      dataDir,
      // Same JS types as the pg adapter: int8 as number (see pg-sql-client.ts).
      parsers: { [types.INT8]: (value: string) => Number(value) },
    });
    return new PgliteSqlClient(db);
  }

  async query<Row extends object>(statement: Statement, params?: readonly unknown[]): Promise<Row[]> {
    const result = await this.db.query<Row>(textOf(statement), params as unknown[] | undefined);
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (transaction) =>
      work({
        query: async <Row extends object>(statement: Statement, params?: readonly unknown[]) =>
          (await transaction.query<Row>(textOf(statement), params as unknown[] | undefined)).rows,
        exec: async (script: string) => {
          await transaction.exec(script);
        },
      }),
    );
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify);
  }

  /** The single connection, shared: there is no other session to lose a lock to. */
  async session(): Promise<SqlSession> {
    return {
      query: (statement, params) => this.query(statement, params),
      exec: (script) => this.exec(script),
      transaction: (work) => this.transaction(work),
      onLost: () => undefined,
      close: async () => undefined,
    };
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

function textOf(statement: Statement): string {
  return typeof statement === 'string' ? statement : statement.text;
}
