import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor, SqlSession, Statement } from './sql-client.js';

/**
 * The embedded PostgreSQL. PGlite has a single connection: it queues queries itself and a
 * transaction holds it exclusively, so concurrency tests that need several sessions only make
 * sense against a server.
 */
export class PgliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;

  private constructor(
    private readonly db: PGlite,
    private readonly lock: DataDirLock | null,
  ) {}

  /**
   * `dataDir` undefined → in memory (tests); otherwise persisted in that folder (created if
   * missing), which only one PGlite may open at a time: see `DataDirLock`.
   */
  static async open(dataDir?: string): Promise<PgliteSqlClient> {
    let lock: DataDirLock | null = null;
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      lock = DataDirLock.acquire(dataDir);
    }
    try {
      const db = await PGlite.create({
        dataDir,
        // Same JS types as the pg adapter: int8 as number (see pg-sql-client.ts).
        parsers: { [types.INT8]: (value: string) => Number(value) },
      });
      return new PgliteSqlClient(db, lock);
    } catch (error) {
      lock?.release();
      throw error;
    }
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
    this.lock?.release();
  }
}

/** Another process (or another client in this one) has the embedded database open. */
export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is open in process ${pid}${pid === process.pid ? ' (this one)' : ''}: ` +
        'stop the service before running this command (or run both on a PostgreSQL server with DATABASE_URL)',
    );
    this.name = 'DatabaseInUseError';
  }
}

/**
 * PGlite is PostgreSQL in one process, without the postmaster that keeps a second server off its
 * data folder: two processes on one folder each work on their own copy and one's writes are lost
 * (a CLI command run beside the service, say). A lock file beside the folder, holding the owner's
 * pid, refuses the second; one left by a process that died is taken over.
 */
class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dirname(dataDir), `${basename(dataDir)}.lock`);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new DataDirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number(readText(file));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new DatabaseInUseError(dataDir, owner);
      // Stale: its owner is gone (a crash, a kill -9).
      unlinkSync(file);
    }
    throw new Error(`cannot lock ${dataDir}: ${file} keeps reappearing`);
  }

  release(): void {
    try {
      if (readText(this.path) === String(process.pid)) unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function textOf(statement: Statement): string {
  return typeof statement === 'string' ? statement : statement.text;
}
