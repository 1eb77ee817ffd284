/*
 * The small seam that lets one SQL dialect run on a PostgreSQL server (`pg`, pooled) and on the
 * embedded PGlite. Everything above it writes plain PostgreSQL; driver differences (type parsing,
 * connection handling, notifications) stay in the two adapters.
 */

/**
 * A statement given a name is prepared once per connection and reused (PostgreSQL); worth it for
 * hot statements whose planning costs more than their execution. PGlite ignores the name.
 */
export interface NamedStatement {
  name: string;
  text: string;
}

export type Statement = string | NamedStatement;

const PREPARED = new Map<string, NamedStatement>();

/**
 * Names a hot statement after its text, so the same text is parsed and planned once per connection
 * (PostgreSQL). Only for statements whose text is fixed: the name is remembered for the process.
 */
export function prepared(text: string): NamedStatement {
  let statement = PREPARED.get(text);
  if (!statement) {
    let hash = 0;
    for (let index = 0; index < text.length; index += 1) hash = (Math.imul(hash, 31) + text.charCodeAt(index)) | 0;
    statement = { name: `spie_${(hash >>> 0).toString(16)}_${text.length}`, text };
    PREPARED.set(text, statement);
  }
  return statement;
}

export interface SqlExecutor {
  query<Row extends object = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export type SqlDialect = 'postgres' | 'pglite';

/**
 * One connection kept for a long-lived holder (a projection runner's lease): session-level state
 * such as an advisory lock lives and dies with it.
 */
export interface SqlSession extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Called once if the connection is lost (server restart, network): its session state is gone. */
  onLost(callback: () => void): void;
  close(): Promise<void>;
}

/** Also the injection token: consumers ask for `SqlClient` and get the configured adapter. */
export abstract class SqlClient implements SqlExecutor {
  abstract readonly dialect: SqlDialect;
  abstract query<Row extends object = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<Row[]>;
  abstract exec(script: string): Promise<void>;
  /** Runs `work` in one transaction on one connection; commits if it resolves, rolls back if it throws. */
  abstract transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel`, and `onReconnect` after the listening connection
   * was lost and restored (notifications sent meanwhile are lost, so callers must re-poll).
   */
  abstract listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** A dedicated connection (PostgreSQL); PGlite has a single connection and hands out a view of it. */
  abstract session(): Promise<SqlSession>;
  abstract close(): Promise<void>;
}

/** Reads the first row of a result or fails loudly: a query that must return a row and did not is a bug. */
export function single<Row>(rows: Row[]): Row {
  const row = rows[0];
  if (row === undefined) throw new Error('expected one row, got none');
  return row;
}
