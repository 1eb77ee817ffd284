import {
  type AllCursor,
  type AppendOptions,
  type AppendResult,
  compareCursors,
  ConcurrencyError,
  EventIdConflictError,
  type EventFacts,
  EventStore,
  type ExpectedVersion,
  InvalidAppendError,
  type NewEvent,
  type NewStreamAppend,
  NewStreamsConflictError,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
} from '../event-store.js';
import { type InlineWrite, InlineWriteConflictError, type RowsWrite } from '../inline-writes.js';
import { UpcasterRegistry } from '../upcasters.js';
import { batchedRowsWriteSql, inlineWriteSql, rowsShapeOf } from './inline-writes-sql.js';
import { eventDigest } from './hash-chain.js';
import { type SqlClient, type SqlExecutor, type Statement, prepared } from '../../database/sql-client.js';

/** Channel on which appends are announced to other instances (PostgreSQL only). */
export const APPENDED_CHANNEL = 'spie_events_appended';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BATCH = 10_000;
const UNIQUE_VIOLATION = '23505';
/** An 'any' append that keeps losing the race to exact-version writers of its stream gives up after this. */
const MAX_ANY_ATTEMPTS = 10;
const DEFAULT_READ_LIMIT = 1000;
const MAX_READ_LIMIT = 10_000;
/** Versions are PostgreSQL integers. */
const MAX_VERSION = 2 ** 31 - 1;

/** One row per event from the single-event statement, one row per batch from append_to_stream. */
interface AppendRow {
  outcome: 'appended' | 'conflict';
  first_version: number;
  /** Comma-separated, in version order. */
  global_positions: string;
  transaction_id: string;
  recorded_at: Date;
  /** Comma-separated hex, in version order. */
  hashes: string;
}

interface EventRow {
  global_position: number;
  transaction_id: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: RecordedEvent['metadata'];
  recorded_at: Date;
  hash: string;
}

/**
 * The single-event append, the most frequent by far, as one prepared INSERT: the head lookup, the
 * expected-version check and the chain link happen in the statement itself, which costs the
 * database about half of what the general function does. No row back means a version conflict.
 */
const APPEND_ONE = {
  name: 'spie_append_one_v1',
  text: `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash)
    SELECT $1, head.version + 1, $3::uuid, $4, $5, $6::json, $7::json, t.now,
           event_link(head.hash, head.version + 1, t.now, decode($8, 'hex'))
      FROM (SELECT date_trunc('milliseconds', now()) AS now) t
      CROSS JOIN LATERAL (
        SELECT coalesce(last.stream_version, 0) AS version, coalesce(last.hash, '\\x'::bytea) AS hash
          FROM (SELECT 1) one
          LEFT JOIN LATERAL (
            SELECT e.stream_version, e.hash FROM events e WHERE e.stream_id = $1 ORDER BY e.stream_version DESC LIMIT 1
          ) last ON true
      ) head
     WHERE head.version = $2::integer
    RETURNING 'appended'::text AS outcome, stream_version AS first_version, global_position::text AS global_positions,
              transaction_id::text AS transaction_id, recorded_at, encode(hash, 'hex') AS hashes`,
};

const EVENT_COLUMNS = `e.global_position, e.transaction_id::text AS transaction_id, e.stream_id, e.stream_version,
  e.event_id, e.type, e.schema_version, e.data, e.metadata, e.recorded_at, encode(e.hash, 'hex') AS hash`;

type FactsRow = Omit<EventRow, 'stream_id' | 'transaction_id' | 'metadata' | 'recorded_at' | 'hash'> & { stream_ordinal: number; recorded_at: string };

const READ_STREAM = (direction: 'ASC' | 'DESC') =>
  prepared(`SELECT ${EVENT_COLUMNS} FROM events e
             WHERE e.stream_id = $1 AND e.stream_version BETWEEN $2 AND $3
             ORDER BY e.stream_version ${direction} LIMIT $4`);
const READ_STREAM_FORWARD = READ_STREAM('ASC');
const READ_STREAM_BACKWARD = READ_STREAM('DESC');
// Streams come back in the order asked (their ordinal, not their id, on each row) and the
// timestamp as ISO text formatted by the server: both spare the reader work per row, which is what
// bounds an audit of a whole territory.
const READ_STREAM_FACTS = prepared(`SELECT s.ordinal::int4 AS stream_ordinal, e.global_position, e.stream_version, e.event_id, e.type, e.schema_version, e.data,
                                           to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at
                                      FROM unnest($1::text[]) WITH ORDINALITY AS s(stream_id, ordinal)
                                      JOIN events e ON e.stream_id = s.stream_id
                                     ORDER BY s.ordinal, e.stream_version`);

export interface SqlEventStoreOptions {
  upcasters?: UpcasterRegistry;
  /**
   * Minimum delay between two cross-instance NOTIFYs. The notification is sent after the append
   * committed, never inside it: a NOTIFY in the appending transaction takes a database-wide lock
   * at commit and would serialise every writer's commit.
   */
  notifyDebounceMs?: number;
}

export class SqlEventStore extends EventStore {
  private readonly upcasters: UpcasterRegistry;
  private readonly listeners = new Set<() => void>();
  private readonly notifyDebounceMs: number;
  private notifyTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly db: SqlClient, options: SqlEventStoreOptions = {}) {
    super();
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.notifyDebounceMs = options.notifyDebounceMs ?? 5;
  }

  /** Starts receiving other instances' append notifications (PostgreSQL). */
  async start(): Promise<void> {
    if (this.db.dialect !== 'postgres' || this.unlisten) return;
    // After a reconnect, appends may have been announced while nobody listened: wake everyone.
    this.unlisten = await this.db.listen(APPENDED_CHANNEL, () => this.wakeLocal(), () => this.wakeLocal());
  }

  async stop(): Promise<void> {
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  override onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  override async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const result = await this.appendWith(this.db, streamId, events, options, false);
    this.announce();
    return result;
  }

  /**
   * Appends inside the caller's transaction, for inline projections that must commit with the
   * events (read-your-writes). The caller must call `announce()` after its commit.
   */
  async appendInTransaction(
    tx: SqlExecutor,
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    return this.appendWith(tx, streamId, events, options, true);
  }

  private async appendWith(
    db: SqlExecutor,
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
    inTransaction: boolean,
  ): Promise<AppendResult> {
    const expected = expectedToSql(options.expectedVersion);
    const prepared = events.map((event) => this.prepare(event));
    validateBatch(streamId, prepared);
    // Serialised once: these texts are stored as they are and are what the digest covers.
    const texts = prepared.map((event) => ({ data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) }));
    const digests = prepared.map((event, index) => eventDigest(streamId, event, texts[index]!.data, texts[index]!.metadata).toString('hex'));
    // 'any' goes through the function, which queues such writers per stream. PGlite does not keep
    // prepared statements, and re-planning the single-event statement costs it more than the
    // function call does, so it uses the function for everything (measured by bench:store).
    const single = prepared.length === 1 && expected >= 0 && this.db.dialect === 'postgres' ? prepared[0]! : undefined;
    const [statement, values]: [Statement, unknown[]] = single
      ? [APPEND_ONE, [streamId, expected, single.eventId, single.type, single.schemaVersion, texts[0]!.data, texts[0]!.metadata, digests[0]]]
      : [
          'SELECT * FROM append_to_stream($1, $2, $3::uuid[], $4::text[], $5::integer[], $6::json, $7::json, $8::text[])',
          [
            streamId,
            expected,
            prepared.map((event) => event.eventId),
            prepared.map((event) => event.type),
            prepared.map((event) => event.schemaVersion),
            `[${texts.map((text) => text.data).join(',')}]`,
            `[${texts.map((text) => text.metadata).join(',')}]`,
            digests,
          ],
        ];
    const [withFollowups, allValues] = options.followups?.length ? this.withFollowups(statement, values, options.followups, single !== undefined) : [statement, values];
    for (let attempt = 1; ; attempt += 1) {
      let rows: AppendRow[];
      try {
        rows = await db.query<AppendRow>(withFollowups, allValues);
      } catch (error) {
        if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
        const constraint = constraintOf(error);
        if (constraint !== undefined && options.followupConstraints?.includes(constraint)) throw new InlineWriteConflictError(constraint);
        // The failed statement aborted the caller's transaction: nothing more can be asked in it.
        // (On PGlite this branch is only reached by an id reuse: head lookup and insert are one
        // call on the only connection, so no other writer can take the version in between.)
        if (inTransaction) {
          if (constraintOf(error) === 'events_event_id_key') throw new EventIdConflictError(prepared[0]!.eventId);
          throw new ConcurrencyError(streamId, options.expectedVersion, await this.headVersion(this.db, streamId));
        }
        if (constraintOf(error) === 'events_event_id_key') {
          const original = await this.findAppended(db, streamId, prepared, options.expectedVersion);
          if (original) return original;
          throw new EventIdConflictError(prepared[0]!.eventId);
        }
        // Another writer took the version we were about to write, between our head lookup and insert.
        if (options.expectedVersion === 'any' && attempt < MAX_ANY_ATTEMPTS) continue;
        throw new ConcurrencyError(streamId, options.expectedVersion, await this.headVersion(db, streamId));
      }
      const row = rows[0];
      if (!row || row.outcome === 'conflict') {
        // A stale expected version is also what a retry of an append that already succeeded looks like.
        const original = await this.findAppended(db, streamId, prepared, options.expectedVersion);
        if (original) return original;
        throw new ConcurrencyError(streamId, options.expectedVersion, row?.first_version ?? (await this.headVersion(db, streamId)));
      }
      return appendResult(streamId, recordedOf(streamId, prepared, row), false);
    }
  }

  /**
   * The first events of several new streams, each with its follow-ups, in one statement: a batch
   * of openings (the intake of a monthly file) pays one round trip and one commit, not one each. A
   * stream that exists already is left as it is, its follow-ups unwritten, and answered undefined.
   * A follow-up that fails (a unique constraint) fails the statement: nothing of the batch is written.
   */
  override async appendNewStreams(appends: readonly NewStreamAppend[]): Promise<Array<AppendResult | undefined>> {
    if (appends.length === 0) return [];
    const batches = appends.map((append) => {
      const prepared = append.events.map((event) => this.prepare(event));
      validateBatch(append.streamId, prepared);
      const texts = prepared.map((event) => ({ data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) }));
      return { prepared, texts, digests: prepared.map((event, index) => eventDigest(append.streamId, event, texts[index]!.data, texts[index]!.metadata).toString('hex')) };
    });
    const events = batches.flatMap((batch) => batch.prepared);
    const params: unknown[] = [
      appends.map((append) => append.streamId),
      batches.map((batch) => batch.prepared.length),
      events.map((event) => event.eventId),
      events.map((event) => event.type),
      events.map((event) => event.schemaVersion),
      `[${batches.flatMap((batch) => batch.texts.map((text) => text.data)).join(',')}]`,
      `[${batches.flatMap((batch) => batch.texts.map((text) => text.metadata)).join(',')}]`,
      batches.flatMap((batch) => batch.digests),
    ];
    const ctes = ['appended AS (SELECT * FROM append_new_streams($1::text[], $2::integer[], $3::uuid[], $4::text[], $5::integer[], $6::json, $7::json, $8::text[]))'];
    // The rows writes of one shape, every stream's rows together; an update or a delete, one per stream.
    const shapes = new Map<string, { write: RowsWrite; items: number[]; rows: Array<readonly unknown[]> }>();
    let rowsOnly = true;
    appends.forEach((append, index) => {
      const item = index + 1;
      for (const followup of append.followups ?? []) {
        if (followup.kind !== 'rows') {
          rowsOnly = false;
          const guard = `appended_${item}`;
          if (!ctes.some((cte) => cte.startsWith(`${guard} AS`))) ctes.push(`${guard} AS (SELECT * FROM appended WHERE item = ${item} AND outcome = 'appended')`);
          const { sql, params: own } = inlineWriteSql(followup, guard, params.length + 1);
          ctes.push(`followup_${ctes.length} AS (${sql})`);
          params.push(...own);
          continue;
        }
        const shape = rowsShapeOf(followup);
        const group = shapes.get(shape) ?? { write: followup, items: [], rows: [] };
        for (const row of followup.rows) {
          group.items.push(item);
          group.rows.push(row);
        }
        shapes.set(shape, group);
      }
    });
    for (const { write, items, rows } of shapes.values()) {
      const { sql, params: own } = batchedRowsWriteSql(write, rows, items, params.length + 1);
      ctes.push(`followup_${ctes.length} AS (${sql})`);
      params.push(...own);
    }
    let rows: Array<AppendRow & { item: number }>;
    try {
      const text = `WITH ${ctes.join(',\n')}\nSELECT * FROM appended`;
      // Rows writes only: the text is the same for every batch of the same kinds of writes, so it
      // is prepared once per connection (its plan kept); per-stream updates make it depend on the batch.
      rows = await this.db.query<AppendRow & { item: number }>(rowsOnly ? prepared(text) : text, params);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new NewStreamsConflictError(constraintOf(error));
      throw error;
    }
    const results: Array<AppendResult | undefined> = appends.map(() => undefined);
    for (const row of rows) {
      if (row.outcome !== 'appended') continue;
      const index = row.item - 1;
      const { streamId } = appends[index]!;
      results[index] = appendResult(streamId, recordedOf(streamId, batches[index]!.prepared, row), false);
    }
    if (results.some((result) => result !== undefined)) this.announce();
    return results;
  }

  /** The append statement with its follow-up writes as CTEs guarded by its success. */
  private withFollowups(statement: Statement, values: unknown[], followups: readonly InlineWrite[], single: boolean): [Statement, unknown[]] {
    const append = typeof statement === 'string' ? statement : statement.text;
    const guard = single ? 'appended' : 'appended_ok';
    const ctes = [`appended AS (${append})`];
    if (!single) ctes.push(`appended_ok AS (SELECT * FROM appended WHERE outcome = 'appended')`);
    const params = [...values];
    followups.forEach((followup, index) => {
      const { sql, params: own } = inlineWriteSql(followup, guard, params.length + 1);
      ctes.push(`followup_${index} AS (${sql})`);
      params.push(...own);
    });
    const text = `WITH ${ctes.join(',\n')}\nSELECT * FROM appended`;
    // The same follow-ups give the same text: prepared once per connection, like the plain append.
    return [prepared(text), params];
  }

  /**
   * The original result of an append whose events are already stored, or undefined when none of
   * them is. They count as the same append only if each sits, with the same type, schema version
   * and data, at consecutive versions of this stream (starting where `expected` said, if exact);
   * anything else reusing a stored id is an EventIdConflictError.
   */
  private async findAppended(
    db: SqlExecutor,
    streamId: string,
    batch: readonly Required<NewEvent>[],
    expected: ExpectedVersion,
  ): Promise<AppendResult | undefined> {
    const rows = await db.query<EventRow & { data_text: string }>(
      `SELECT ${EVENT_COLUMNS}, e.data::text AS data_text FROM events e WHERE e.event_id = ANY($1::uuid[])`,
      [batch.map((event) => event.eventId)],
    );
    if (rows.length === 0) return undefined;
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    const firstRow = byId.get(batch[0]!.eventId);
    const start = firstRow?.stream_version ?? -1;
    const expectedStart = expected === 'any' ? start : expected === 'no_stream' ? 1 : expected + 1;
    const same = batch.every((event, index) => {
      const row = byId.get(event.eventId);
      return (
        row !== undefined &&
        row.stream_id === streamId &&
        row.stream_version === start + index &&
        row.type === event.type &&
        row.schema_version === event.schemaVersion &&
        row.data_text === JSON.stringify(event.data)
      );
    });
    if (!same || start !== expectedStart) throw new EventIdConflictError(rows[0]!.event_id);
    const ordered = batch.map((event) => this.toRecorded(byId.get(event.eventId)!));
    return appendResult(streamId, ordered, true);
  }

  private async headVersion(db: SqlExecutor, streamId: string): Promise<number> {
    const rows = await db.query<{ version: number | null }>('SELECT max(stream_version) AS version FROM events WHERE stream_id = $1', [streamId]);
    return rows[0]?.version ?? 0;
  }

  override async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backward = options.direction === 'backward';
    const limit = readLimit(options.limit, MAX_VERSION, MAX_VERSION);
    const low = backward ? (options.to ?? 1) : (options.from ?? 1);
    const high = backward ? (options.from ?? MAX_VERSION) : (options.to ?? MAX_VERSION);
    const rows = await this.db.query<EventRow>(backward ? READ_STREAM_BACKWARD : READ_STREAM_FORWARD, [
      streamId,
      Math.max(low, 0),
      Math.min(high, MAX_VERSION),
      limit,
    ]);
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * The facts of several whole streams in one round trip, each in version order: what an audit
   * of a territory reads, thousands of streams at a time, where one query per stream, or the
   * metadata it does not need, would dominate.
   */
  override async readStreamFacts(streamIds: readonly string[]): Promise<Map<string, EventFacts[]>> {
    const lists = streamIds.map((): EventFacts[] => []);
    if (streamIds.length > 0) {
      const rows = await this.db.query<FactsRow>(READ_STREAM_FACTS, [streamIds]);
      for (const row of rows) {
        const { schemaVersion, data } = this.upcasters.upcast(row.type, row.schema_version, row.data);
        const streamId = streamIds[row.stream_ordinal - 1]!;
        lists[row.stream_ordinal - 1]!.push({
          eventId: row.event_id,
          streamId,
          streamVersion: row.stream_version,
          globalPosition: row.global_position,
          type: row.type,
          schemaVersion,
          data,
          recordedAt: row.recorded_at,
        });
      }
    }
    return new Map(streamIds.map((streamId, index) => [streamId, lists[index]!]));
  }

  override async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const after = options.after ?? START;
    const limit = readLimit(options.limit, DEFAULT_READ_LIMIT, MAX_READ_LIMIT);
    const categories = options.categories?.length ? [...options.categories] : null;
    const types = options.types?.length ? [...options.types] : null;
    // One statement gives both the page and the horizon it was read under.
    const rows = await this.db.query<Partial<EventRow> & { horizon: string }>(
      `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       SELECT h.xmin::text AS horizon, page.* FROM horizon h
       LEFT JOIN LATERAL (
         SELECT ${EVENT_COLUMNS} FROM events e
          WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
            AND e.transaction_id < h.xmin
            AND ($4::text[] IS NULL OR e.category = ANY($4::text[]))
            AND ($5::text[] IS NULL OR e.type = ANY($5::text[]))
          ORDER BY e.transaction_id, e.global_position
          LIMIT $3
       ) page ON true`,
      [after.transactionId, after.position, limit, categories, types],
    );
    const horizon = rows[0]!.horizon;
    const events = rows.filter((row) => row.event_id !== null && row.event_id !== undefined).map((row) => this.toRecorded(row as EventRow));
    const last = events[events.length - 1];
    if (events.length === limit && last) {
      return { events, next: { transactionId: last.transactionId, position: last.globalPosition }, isEnd: false };
    }
    // Every row below the horizon has been seen (the page was not full), and any row still to
    // commit belongs to a transaction at or above it.
    const atHorizon: AllCursor = { transactionId: horizon, position: 0 };
    return { events, next: compareCursors(after, atHorizon) >= 0 ? after : atHorizon, isEnd: true };
  }

  override async committedMark(): Promise<AllCursor> {
    // Every transaction committed now has an id below the snapshot's xmax; once the horizon is
    // there, readAll has nothing committed before this call left to give.
    const [row] = await this.db.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax');
    return { transactionId: row!.xmax, position: 0 };
  }

  /** Wakes local subscribers now and other instances soon (debounced NOTIFY after commit). */
  announce(): void {
    this.wakeLocal();
    if (this.db.dialect !== 'postgres' || this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.db.query('SELECT pg_notify($1, $2)', [APPENDED_CHANNEL, '']).catch(() => undefined);
    }, this.notifyDebounceMs);
    this.notifyTimer.unref();
  }

  private wakeLocal(): void {
    for (const listener of this.listeners) listener();
  }

  private prepare(event: NewEvent): Required<NewEvent> {
    return {
      // uuid columns print lower case; the digest must match what verify will read back.
      eventId: event.eventId.toLowerCase(),
      type: event.type,
      schemaVersion: event.schemaVersion ?? this.upcasters.currentVersion(event.type),
      data: event.data,
      metadata: event.metadata,
    };
  }

  private toRecorded(row: EventRow): RecordedEvent {
    const { schemaVersion, data } = this.upcasters.upcast(row.type, row.schema_version, row.data);
    return {
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      globalPosition: row.global_position,
      transactionId: row.transaction_id,
      type: row.type,
      schemaVersion,
      data,
      metadata: row.metadata,
      recordedAt: row.recorded_at.toISOString(),
      hash: row.hash,
    };
  }
}

/** The events of one append as stored, from the statement's answer (positions and hashes comma-separated, in version order). */
function recordedOf(streamId: string, prepared: readonly Required<NewEvent>[], row: AppendRow): RecordedEvent[] {
  const positions = row.global_positions.split(',');
  const hashes = row.hashes.split(',');
  const recordedAt = row.recorded_at.toISOString();
  return prepared.map(
    (event, index): RecordedEvent => ({
      eventId: event.eventId,
      streamId,
      streamVersion: row.first_version + index,
      globalPosition: Number(positions[index]),
      transactionId: row.transaction_id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
      recordedAt,
      hash: hashes[index]!,
    }),
  );
}

function appendResult(streamId: string, events: RecordedEvent[], alreadyAppended: boolean): AppendResult {
  const last = events[events.length - 1]!;
  return { streamId, nextExpectedVersion: last.streamVersion, lastGlobalPosition: last.globalPosition, alreadyAppended, events };
}

function expectedToSql(expected: ExpectedVersion): number {
  if (expected === 'any') return -1;
  if (expected === 'no_stream') return 0;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidAppendError(`expectedVersion must be a non-negative integer, 'no_stream' or 'any'`);
  }
  return expected;
}

function validateBatch(streamId: string, events: readonly Required<NewEvent>[]): void {
  if (!/^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]+$/.test(streamId) || streamId.length > 200) {
    throw new InvalidAppendError(`stream id must look like <category>-<id>: ${JSON.stringify(streamId)}`);
  }
  if (events.length === 0) throw new InvalidAppendError('an append needs at least one event');
  if (events.length > MAX_BATCH) throw new InvalidAppendError(`an append takes at most ${MAX_BATCH} events`);
  const ids = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.eventId)) throw new InvalidAppendError(`eventId must be a uuid: ${JSON.stringify(event.eventId)}`);
    if (ids.has(event.eventId.toLowerCase())) throw new InvalidAppendError(`eventId ${event.eventId} appears twice in the batch`);
    ids.add(event.eventId.toLowerCase());
    if (!event.type || typeof event.type !== 'string') throw new InvalidAppendError('every event needs a type');
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
      throw new InvalidAppendError(`schemaVersion of ${event.type} must be a positive integer`);
    }
    if (event.data === undefined || event.metadata === undefined) throw new InvalidAppendError(`${event.type} needs data and metadata`);
  }
}

function readLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  return Math.min(limit, max);
}

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function constraintOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'constraint' in error ? String((error as { constraint: unknown }).constraint) : undefined;
}

