import pg from 'pg';
import { databaseTrouble } from './database-availability.js';
import { parseMultiHostUrl } from '../config/multi-host-url.js';
import { WritableServerLocator, locatingClientClass } from './pg-hosts.js';
import type { SqlClient, SqlExecutor, SqlSession, Statement } from './sql-client.js';

// int8 and numeric counters fit in a JS number for this system's volumes (2^53 events);
// parsing them here keeps both adapters returning the same JS types.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PgSqlClientOptions {
  connectionString: string;
  poolSize: number;
  applicationName?: string;
  /** How long to wait between attempts to restore a lost LISTEN connection. */
  reconnectDelayMs?: number;
  timeouts?: PgTimeouts;
}

/**
 * Bounds on every connection of the service (0 = the server's own setting, none by default), so
 * that a held lock or a hung server makes a request fail fast (503) instead of piling up.
 */
export interface PgTimeouts {
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
  /** Opening a connection, or waiting for one of the pool's. */
  connectMs: number;
}

export class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private closed = false;
  /** What node-postgres parses: the first host of a multi-host string (the locator chooses the real one). */
  private readonly connectionString: string;
  /** Several hosts, or `target_session_attrs=read-write`: which server takes writes, chosen on connect. */
  private readonly locator: WritableServerLocator | undefined;
  private readonly Client: typeof pg.Client;

  constructor(private readonly options: PgSqlClientOptions) {
    const url = parseMultiHostUrl(options.connectionString);
    if (url.hosts.length > 1 || url.readWrite) {
      this.connectionString = url.singleHostUrl;
      this.locator = new WritableServerLocator(url.hosts, url.readWrite, { ...this.connectionConfig(), application_name: 'spie-parcours-locator' });
      this.Client = locatingClientClass(this.locator, url.readWrite);
    } else {
      this.connectionString = options.connectionString;
      this.Client = pg.Client;
    }
    this.pool = new pg.Pool({ ...this.connectionConfig(), Client: this.Client, max: options.poolSize, application_name: options.applicationName ?? 'spie-parcours' });
    // An idle client that dies (server restart) must not crash the process; the pool replaces it.
    this.pool.on('error', (error) => this.noteFailure(error));
  }

  async query<Row extends object>(statement: Statement, params?: readonly unknown[]): Promise<Row[]> {
    try {
      // On an error the pool drops the connection (it releases it with the error).
      const result = await this.pool.query(toConfig(statement, params));
      return result.rows as Row[];
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.pool.query(script);
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /**
   * A server lost, or one that no longer takes writes (a primary demoted by a failover: SQLSTATE
   * 25006): the next connection looks for the writable server again.
   */
  private noteFailure(error: unknown): boolean {
    const lost = databaseTrouble(error) === 'unavailable';
    if (lost) this.locator?.forgetCurrent();
    return lost;
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
    let broken = false;
    // Checked out, a connection has no listener of the pool's: a server dying between two
    // statements of this transaction would otherwise be an unhandled 'error' event, which ends
    // the process. The statement under way (or the next one) fails, and the work with it.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const tx: SqlExecutor = {
        query: async <Row extends object>(statement: Statement, params?: readonly unknown[]) =>
          (await client.query(toConfig(statement, params))).rows as Row[],
        exec: async (script: string) => {
          await client.query(script);
        },
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (this.noteFailure(error)) broken = true;
      try {
        if (!broken) await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>> {
    const quoted = pg.escapeIdentifier(channel);
    const delay = this.options.reconnectDelayMs ?? 1000;
    let client: pg.Client | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;

    const connect = async (isReconnect: boolean): Promise<void> => {
      const next = new this.Client(this.connectionConfig());
      next.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      next.on('error', () => scheduleReconnect());
      next.on('end', () => scheduleReconnect());
      await next.connect();
      await next.query(`LISTEN ${quoted}`);
      client = next;
      if (isReconnect) onReconnect?.();
    };

    const scheduleReconnect = (): void => {
      if (stopped || this.closed || timer) return;
      const dead = client;
      client = undefined;
      dead?.removeAllListeners();
      // A dead connection may still report its end as an error: with no listener left, that
      // would be an unhandled 'error' event, which ends the process.
      dead?.on('error', () => undefined);
      void dead?.end().catch(() => undefined);
      timer = setTimeout(() => {
        timer = undefined;
        connect(true).catch(() => scheduleReconnect());
      }, delay);
      timer.unref();
    };

    await connect(false);
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const current = client;
      client = undefined;
      current?.removeAllListeners();
      current?.on('error', () => undefined);
      await current?.end().catch(() => undefined);
    };
  }

  async session(): Promise<SqlSession> {
    const client = new this.Client({ ...this.connectionConfig(), application_name: 'spie-parcours-session' });
    let lost: (() => void) | undefined;
    let ended = false;
    const markLost = () => {
      if (ended) return;
      ended = true;
      lost?.();
    };
    client.on('error', markLost);
    client.on('end', markLost);
    await client.connect();
    const executor: SqlExecutor = {
      query: async <Row extends object>(statement: Statement, params?: readonly unknown[]) => (await client.query(toConfig(statement, params))).rows as Row[],
      exec: async (script: string) => {
        await client.query(script);
      },
    };
    return {
      ...executor,
      transaction: async <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
        await client.query('BEGIN');
        try {
          const result = await work(executor);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      },
      onLost: (callback) => {
        lost = callback;
      },
      close: async () => {
        ended = true;
        await client.end().catch(() => undefined);
      },
    };
  }

  /** What every connection gets: the pool's, the listener's and the sessions'. */
  private connectionConfig(): pg.ClientConfig {
    const timeouts = this.options.timeouts;
    return {
      connectionString: this.connectionString,
      types,
      ...(timeouts && {
        statement_timeout: timeouts.statementMs,
        lock_timeout: timeouts.lockMs,
        idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
        connectionTimeoutMillis: timeouts.connectMs,
      }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

function toConfig(statement: Statement, params: readonly unknown[] | undefined): pg.QueryConfig {
  const values = params as unknown[] | undefined;
  return typeof statement === 'string' ? { text: statement, values } : { name: statement.name, text: statement.text, values };
}
