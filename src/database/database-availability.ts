import type { LoggerService } from '@nestjs/common';
import { parseMultiHostUrl } from '../config/multi-host-url.js';
import { describeHosts } from './pg-hosts.js';
import type { SqlClient } from './sql-client.js';

/**
 * What a database error means for the caller: `unavailable` (the server cannot be reached or is
 * going away), `busy` (a lock or statement timeout: the work was cancelled, nothing was written),
 * or `undefined` (anything else: a bug or a rule of the schema). Both first kinds pass: an HTTP
 * answer is 503 with Retry-After, never 500.
 */
export type DatabaseTrouble = 'unavailable' | 'busy';

// SQLSTATE: 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout).
const BUSY = new Set(['55P03', '57014']);
// 57P01-03 admin/crash shutdown, cannot connect now (starting, recovering); 53300 too many
// connections; 25P03 the server ended a transaction left idle (idle_in_transaction_session_timeout);
// 25006 read-only transaction: the server is a standby, or a primary being demoted by a failover
// (the write is refused whole; the next connection looks for the new primary).
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '25P03', '25006']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// node-postgres raises these without a code.
const DRIVER_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /not queryable/, /^Cannot use a pool after calling end/];

export function databaseTrouble(error: unknown): DatabaseTrouble | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (BUSY.has(code)) return 'busy';
    if (UNAVAILABLE.has(code) || code.startsWith('08') || NETWORK.has(code)) return 'unavailable';
  }
  // `localhost` resolves to two addresses: Node reports both failures together, in an AggregateError
  // (of Node's realm: not always `instanceof` this one's).
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.some((each) => databaseTrouble(each) === 'unavailable')) return 'unavailable';
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return 'unavailable';
  return undefined;
}

/** The server(s) a connection string names, without the user or the password: for messages. */
export function databaseTarget(url: string): string {
  const { hosts, singleHostUrl } = parseMultiHostUrl(url);
  const parsed = new URL(singleHostUrl);
  return `${hosts.length > 1 ? describeHosts(hosts) : `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`}${parsed.pathname}`;
}

export class DatabaseUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * At start, waits for the PostgreSQL server with a growing delay (a database started alongside the
 * service, a failover), saying each time what fails, and gives up after `retrySeconds` with a
 * message an operator can act on. Errors that a retry cannot fix (a wrong password, an unknown
 * database) are thrown at once.
 */
export async function waitForDatabase(db: SqlClient, url: string, retrySeconds: number, logger: LoggerService): Promise<void> {
  const target = databaseTarget(url);
  const started = Date.now();
  let delayMs = 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db.query('SELECT 1');
      if (attempt > 1) logger.log(`PostgreSQL server at ${target} reached after ${attempt} attempts`, 'Database');
      return;
    } catch (error) {
      if (databaseTrouble(error) !== 'unavailable') throw error;
      const reason = describe(error);
      const elapsedMs = Date.now() - started;
      if (elapsedMs + delayMs > retrySeconds * 1000) {
        throw new DatabaseUnreachableError(
          `cannot reach the PostgreSQL server at ${target} (${reason}) after ${attempt} attempt(s) in ${Math.round(elapsedMs / 1000)} s: ` +
            'check DATABASE_URL and that the server is up (DATABASE_CONNECT_RETRY_SECONDS says how long to wait for it)',
        );
      }
      logger.warn(`PostgreSQL server at ${target} unreachable (${reason}); attempt ${attempt}, retrying in ${delayMs} ms, for up to ${retrySeconds} s`, 'Database');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}

/** The error's code and message (node-postgres and Node never put the password in either). */
function describe(error: unknown): string {
  const errors = (error as { errors?: unknown }).errors;
  const { code, message } = (Array.isArray(errors) && errors.length ? errors[0] : error) as { code?: unknown; message?: unknown };
  return [typeof code === 'string' ? code : undefined, typeof message === 'string' && message ? message : undefined].filter(Boolean).join(': ') || 'unknown error';
}
