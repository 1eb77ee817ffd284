import { chmodSync, fsyncSync, lstatSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
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
   * missing, readable by this user only), which only one PGlite may open at a time: see
   * `DataDirLock`. `fsync` (default on) makes every acknowledged commit durable: see `PrivateDurableNodeFS`.
   */
  static async open(dataDir?: string, options: { fsync?: boolean } = {}): Promise<PgliteSqlClient> {
    let lock: DataDirLock | null = null;
    if (dataDir) {
      makePrivate(dataDir);
      lock = DataDirLock.acquire(dataDir);
    }
    const fsync = options.fsync ?? true;
    try {
      const db = await PGlite.create({
        ...(dataDir ? { fs: new PrivateDurableNodeFS(dataDir) } : {}),
        // PGlite starts PostgreSQL with -F (fsync off) by default. And `fdatasync`, PostgreSQL's
        // default way to flush the WAL on Linux, is a no-op in Emscripten: `fsync` it is.
        startParams: dataDir && fsync ? [...PGlite.defaultStartParams.filter((param) => param !== '-F'), '-c', 'wal_sync_method=fsync'] : PGlite.defaultStartParams,
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

/** What Emscripten's NODEFS lends the file system hooks below (it has no types of its own). */
interface EmscriptenNodeFs {
  stream_ops: { fsync?: (stream: { nfd: number }) => number };
  node_ops: { mknod: (parent: unknown, name: string, mode: number, dev: unknown) => unknown };
  doSetAttr: (arg: unknown, node: unknown, attr: { mode?: number }, ...rest: unknown[]) => void;
  tryFSOperation: <T>(operation: () => T) => T;
}

/**
 * PGlite's Node file system, made durable and private. Emscripten's NODEFS drops every `fsync`
 * PostgreSQL asks for (it has no such operation: a commit is acknowledged while still in the page
 * cache) and creates files with the modes PostgreSQL asks for inside its sandbox (0666, 0777).
 * Here `fsync` reaches the disk, and nothing is created or chmod-ed with group or other bits: the
 * folder holds every beneficiary's (encrypted) file and the access journal.
 */
class PrivateDurableNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const { emscriptenOpts } = await super.init(...args);
    const harden = (mod: unknown): void => {
      const nodefs = (mod as { NODEFS: EmscriptenNodeFs }).NODEFS;
      nodefs.stream_ops.fsync = (stream) => {
        nodefs.tryFSOperation(() => fsyncSync(stream.nfd));
        return 0;
      };
      const mknod = nodefs.node_ops.mknod;
      nodefs.node_ops.mknod = (parent, name, mode, dev) => mknod(parent, name, mode & ~0o077, dev);
      const doSetAttr = nodefs.doSetAttr;
      nodefs.doSetAttr = (arg, node, attr, ...rest) =>
        doSetAttr(arg, node, attr.mode === undefined ? attr : { ...attr, mode: attr.mode & ~0o077 }, ...rest);
    };
    // First, so that the data folder is mounted on the hardened file system.
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [harden, ...(emscriptenOpts.preRun ?? [])] } };
  }
}

/**
 * Creates the folder readable by this user only, and takes group and other bits off what an older
 * version left in it (PGlite wrote its files 0666): existing installations are tightened at start.
 */
function makePrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tighten = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) tighten(join(path, entry));
  };
  tighten(dir);
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
        writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
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
