import pg from 'pg';
import { type PgHost, formatHost } from '../config/multi-host-url.js';

/**
 * Several PostgreSQL servers in one connection string, as libpq takes them
 * (`postgres://user@node1:5432,node2:5432/db?target_session_attrs=read-write`, what
 * pg_auto_failover's `pg_autoctl show uri --formation default` prints): the service connects to
 * whichever of them accepts writes now. node-postgres takes one host only; this file chooses the
 * host when a connection is opened (docs/decisions/0008-multi-host-connection-string.md).
 */

export function describeHosts(hosts: readonly PgHost[]): string {
  return hosts.map(formatHost).join(',');
}

/** No server of the list accepts writes now (all down, or all standbys during a failover). */
export class NoWritableServerError extends Error {
  // SQLSTATE class 08 (connection exception): the service answers 503 with Retry-After.
  readonly code = '08001';

  constructor(hosts: readonly PgHost[], reasons: string[]) {
    super(`no read-write PostgreSQL server among ${describeHosts(hosts)} (${reasons.join('; ')})`);
    this.name = 'NoWritableServerError';
  }
}

/**
 * Which server of the list takes writes, remembered until a connection to it fails. Found by
 * asking each in turn, in the list's order, `SHOW transaction_read_only` (as libpq does); several
 * callers asking together share one search.
 */
export class WritableServerLocator {
  private current: PgHost | undefined;
  private search: Promise<PgHost> | undefined;

  constructor(
    readonly hosts: readonly PgHost[],
    private readonly readWrite: boolean,
    private readonly probeConfig: pg.ClientConfig,
  ) {}

  async writable(): Promise<PgHost> {
    if (this.current) return this.current;
    this.search ??= this.find().finally(() => (this.search = undefined));
    return this.search;
  }

  /** The server failed a connection or refused a write: look again at the next connection. */
  forget(host: PgHost): void {
    if (this.current === host) this.current = undefined;
  }

  /** A connection already open failed (the server died, or was demoted): look again. */
  forgetCurrent(): void {
    this.current = undefined;
  }

  private async find(): Promise<PgHost> {
    const reasons: string[] = [];
    for (const host of this.hosts) {
      const client = aimAt(new pg.Client(this.probeConfig), host);
      client.on('error', () => undefined);
      try {
        await client.connect();
        if (!this.readWrite || (await isWritable(client))) {
          this.current = host;
          return host;
        }
        reasons.push(`${formatHost(host)}: read-only`);
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        reasons.push(`${formatHost(host)}: ${code ?? message ?? 'failed'}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new NoWritableServerError(this.hosts, reasons);
  }
}

/**
 * Points a client not yet connected at a host: what its connect reads to open the socket. (Its
 * config cannot say it: node-postgres lets the connection string's host win over `host`.)
 */
function aimAt(client: pg.Client, target: PgHost): pg.Client {
  const self = client as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
  self.host = self.connectionParameters.host = target.host;
  self.port = self.connectionParameters.port = target.port;
  return client;
}

async function isWritable(client: pg.Client): Promise<boolean> {
  const result = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
  return result.rows[0]?.transaction_read_only === 'off';
}

/** A server that was chosen as writable turned out read-only on connection (a failover under way). */
export class ReadOnlyServerError extends Error {
  // SQLSTATE 25006 read_only_sql_transaction: what a write on it would have met.
  readonly code = '25006';

  constructor(host: PgHost) {
    super(`${formatHost(host)} is read-only (a standby, or a primary being demoted)`);
    this.name = 'ReadOnlyServerError';
  }
}

/**
 * node-postgres' Client, connecting to the server the locator names at the time it connects
 * (the pool makes one per connection, so each new connection follows a failover). With
 * `target_session_attrs=read-write` each connection checks, once open, that its server still
 * takes writes: a standby promoted or a primary demoted between the search and the connection.
 */
export function locatingClientClass(locator: WritableServerLocator, readWrite: boolean): typeof pg.Client {
  return class LocatingClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (error: Error | undefined) => void): void;
    override connect(callback?: (error: Error | undefined) => void): Promise<pg.Client> | void {
      const connected = this.connectToWritable();
      if (!callback) return connected;
      connected.then(
        () => callback(undefined),
        (error: Error) => callback(error),
      );
    }

    private async connectToWritable(): Promise<pg.Client> {
      const target = await locator.writable();
      aimAt(this, target);
      // Until connect() answers, the pool has no 'error' listener on this client: a server that dies
      // during the writability check fails its query and, besides, makes the client emit 'error',
      // which nobody would hear — an unhandled 'error' event ends the process. The query's failure
      // says it all; the pool listens from its callback on.
      const duringCheck = () => undefined;
      this.on('error', duringCheck);
      try {
        await super.connect();
        if (readWrite && !(await isWritable(this))) {
          await this.end().catch(() => undefined);
          throw new ReadOnlyServerError(target);
        }
        return this;
      } catch (error) {
        locator.forget(target);
        throw error;
      } finally {
        this.off('error', duringCheck);
      }
    }
  };
}
