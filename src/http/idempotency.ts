import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { SqlClient, type SqlExecutor } from '../database/sql-client.js';
import { type RowsWrite, tableColumns } from '../event-store/inline-writes.js';
import { ProblemError } from './problem.js';

// Parsed once, when the module loads: the column lists of the writes declared below.
const IDEMPOTENCY_COLUMNS = tableColumns('partner_id uuid, key text, request_hash text, status integer, headers json, body json');

/** What a command answered: replayed as is to a retry carrying the same Idempotency-Key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What a keyed command commits with: event ids derived from the key, and the record of its answer. */
export interface KeyedRun<Result> {
  eventId(index: number): string;
  record(result: Result): RowsWrite;
}

export interface IdempotentRequest {
  partnerId: string;
  key: string;
  requestHash: string;
}

// Any fixed namespace will do; it only has to stay the same forever (ids derived from it are stored).
const EVENT_ID_NAMESPACE = '6c1f7d0e-5b7a-4c55-8e3d-2a9f1b4c7e10';
const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

/** A resource id derived from an Idempotency-Key (for creations). */
export function uuidFromKey(partnerId: string, key: string): string {
  return uuidv5(`${partnerId}\n${key}\nresource`, EVENT_ID_NAMESPACE);
}

/**
 * HTTP idempotency (DESIGN §4): a retried request gets the first answer and never writes twice;
 * the same key with another request is refused (422). The answer is stored in the transaction of
 * the command's events; the event ids derive from the key, so even two retries racing each other
 * cannot both append.
 */
@Injectable()
export class IdempotencyStore {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** The request's idempotency facts, or undefined when no key was sent. */
  static fromRequest(partnerId: string, header: string | string[] | undefined, method: string, path: string, body: unknown): IdempotentRequest | undefined {
    if (header === undefined) return undefined;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !KEY_PATTERN.test(key)) {
      throw new ProblemError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 characters among A-Z a-z 0-9 . _ : -');
    }
    const requestHash = createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`).digest('hex');
    return { partnerId, key, requestHash };
  }

  /** The event id for the index-th event a keyed request writes. */
  static eventId(request: IdempotentRequest, index: number): string {
    return uuidv5(`${request.partnerId}\n${request.key}\n${index}`, EVENT_ID_NAMESPACE);
  }

  /** The stored answer to this key, or undefined; 422 if the key was used for another request. */
  async replay(request: IdempotentRequest): Promise<StoredResponse | undefined> {
    const rows = await this.db.query<{ request_hash: string; status: number; headers: Record<string, string>; body: unknown }>(
      'SELECT request_hash, status, headers, body FROM idempotency_keys WHERE partner_id = $1 AND key = $2',
      [request.partnerId, request.key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.request_hash !== request.requestHash) {
      throw new ProblemError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for another request', 'use a new key for a new request');
    }
    return { status: row.status, headers: row.headers, body: row.body };
  }

  async store(tx: SqlExecutor, request: IdempotentRequest, response: StoredResponse): Promise<void> {
    await tx.query(
      'INSERT INTO idempotency_keys (partner_id, key, request_hash, status, headers, body) VALUES ($1, $2, $3, $4, $5, $6)',
      [request.partnerId, request.key, request.requestHash, response.status, JSON.stringify(response.headers), JSON.stringify(response.body)],
    );
  }

  /** For a request that changed nothing: there is no append to ride on. */
  async storeNow(request: IdempotentRequest, response: StoredResponse): Promise<void> {
    await this.store(this.db, request, response);
  }

  /**
   * Runs a command at most once per key: a retry gets the first answer (`replayed`), even a retry
   * racing the original (whichever loses finds the winner's answer stored). `run` receives, for a
   * keyed request, the event ids to use (derived from the key: two racing retries cannot both
   * append) and the record of the answer, to commit with the events; a command that appended
   * nothing has its answer stored on its own. Stored: the status and the body; the headers of the
   * answer are the caller's to derive from the body, on the first answer and on a replay alike.
   */
  async once<Result extends { changed: boolean }>(
    request: IdempotentRequest | undefined,
    status: number,
    run: (keyed: KeyedRun<Result> | undefined) => Promise<Result>,
  ): Promise<{ result: Result; status: number; replayed: boolean }> {
    if (!request) return { result: await run(undefined), status, replayed: false };
    const stored = await this.replay(request);
    if (stored) return { result: stored.body as Result, status: stored.status, replayed: true };
    const answer = (result: Result): StoredResponse => ({ status, headers: {}, body: result });
    try {
      const result = await run({ eventId: (index) => IdempotencyStore.eventId(request, index), record: (result) => this.followup(request, answer(result)) });
      if (!result.changed) await this.storeNow(request, answer(result));
      return { result, status, replayed: false };
    } catch (error) {
      const winner = await this.replay(request);
      if (winner) return { result: winner.body as Result, status: winner.status, replayed: true };
      throw error;
    }
  }

  /** The answer, committed by the very statement that appends the request's events. */
  followup(request: IdempotentRequest, response: StoredResponse): RowsWrite {
    return {
      kind: 'rows',
      table: 'idempotency_keys',
      columns: IDEMPOTENCY_COLUMNS,
      rows: [[request.partnerId, request.key, request.requestHash, response.status, JSON.stringify(response.headers), JSON.stringify(response.body)]],
    };
  }

  /** Keys are kept long enough for any sensible retry policy. */
  async purgeOlderThan(hours: number): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `WITH purged AS (DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1) SELECT count(*)::int AS n FROM purged`,
      [hours],
    );
    return rows[0]?.n ?? 0;
  }
}
