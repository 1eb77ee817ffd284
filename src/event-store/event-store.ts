/**
 * The event store port (DESIGN §3–§4). Adapters: SQL (PostgreSQL and PGlite share it); a KurrentDB
 * adapter would implement the same contract and pass the same suite (test/event-store).
 */
import type { InlineWrite } from './inline-writes.js';

/** Who acted. Identifiers only: metadata never carries personal data. */
export interface Actor {
  userId?: string;
  apiKeyId?: string;
  partnerId?: string;
  role?: string;
}

export interface EventMetadata {
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
  /** When the fact happened as the caller states it (ISO 8601); `recordedAt` is the store's clock. */
  occurredAt: string;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A uuid chosen by the writer: re-appending the same ids is a no-op, never a second write. */
  eventId: string;
  type: Type;
  /** Defaults to the current schema version of `type` known to the upcaster registry, else 1. */
  schemaVersion?: number;
  data: Data;
  metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  eventId: string;
  streamId: string;
  /** 1 for the first event of a stream, contiguous. */
  streamVersion: number;
  /** Store-wide sequence. Increasing in commit order only together with `transactionId` (see AllCursor). */
  globalPosition: number;
  transactionId: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  recordedAt: string;
  /** sha256 link of the stream's hash chain, hex. */
  hash: string;
}

/**
 * An event without its metadata and hash-chain link: what the continuity rules and a replay read.
 * Half the cost of a full event to fetch, which matters when an audit reads a whole territory.
 */
export type EventFacts<Type extends string = string, Data = unknown> = Pick<
  RecordedEvent<Type, Data>,
  'eventId' | 'streamId' | 'streamVersion' | 'globalPosition' | 'type' | 'schemaVersion' | 'data' | 'recordedAt'
>;

/** Exact number of events already in the stream (0 ≡ 'no_stream'), or no check at all. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** Writes that commit with the events and only if they are appended (see inline-writes.ts). */
  followups?: readonly InlineWrite[];
  /**
   * Unique constraints of the follow-ups' tables whose violation is a refusal for the caller to
   * answer (one open parcours per person), not a version conflict: thrown as an InlineWriteConflictError.
   */
  followupConstraints?: readonly string[];
}

/** A new stream's first events and the writes that commit with them (see appendNewStreams). */
export interface NewStreamAppend {
  streamId: string;
  events: readonly NewEvent[];
  followups?: readonly InlineWrite[];
}

/** A batch of new streams not written: one of its writes broke a unique constraint (an event id in use, a follow-up's). */
export class NewStreamsConflictError extends Error {
  readonly code = 'new_streams_conflict';
  constructor(readonly constraint: string | undefined) {
    super(`the batch of new streams was not written: unique constraint ${constraint ?? '(unknown)'}`);
    this.name = 'NewStreamsConflictError';
  }
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append: pass it as the next `expectedVersion`. */
  nextExpectedVersion: number;
  /** Global position of the last event of the batch. */
  lastGlobalPosition: number;
  /** True when these very events were already stored and nothing was written. */
  alreadyAppended: boolean;
  events: RecordedEvent[];
}

export interface ReadStreamOptions {
  /** First version returned, inclusive (forward default 1, backward default the head). */
  from?: number;
  /** Last version returned, inclusive (forward default the head, backward default 1). */
  to?: number;
  direction?: 'forward' | 'backward';
  limit?: number;
}

/**
 * Position in the global order: (writing transaction, global position). Rows are read in that
 * order and only below the oldest transaction still running, so a reader never moves past an
 * event that has yet to commit.
 */
export interface AllCursor {
  transactionId: string;
  position: number;
}

export const START: AllCursor = Object.freeze({ transactionId: '0', position: 0 });

export interface ReadAllOptions {
  /** Exclusive lower bound; START (or nothing) reads from the beginning. */
  after?: AllCursor;
  limit?: number;
  /** Stream categories (the part of the stream id before the first `-`). */
  categories?: readonly string[];
  types?: readonly string[];
}

export interface ReadAllPage {
  events: RecordedEvent[];
  /**
   * Where to continue. When the page is not full it is the visibility horizon, so that a filtered
   * reader advances past events it does not want.
   */
  next: AllCursor;
  /** True when the reader has caught up with every committed event it may see now. */
  isEnd: boolean;
}

export abstract class EventStore {
  abstract appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /**
   * The first events of several new streams, each with its follow-ups, all or nothing: a batch of
   * openings (the intake of a monthly file) as one write. A stream that exists already is left as
   * it is, its follow-ups unwritten, and answered undefined; a follow-up that breaks a unique
   * constraint fails the whole batch (NewStreamsConflictError).
   */
  abstract appendNewStreams(appends: readonly NewStreamAppend[]): Promise<Array<AppendResult | undefined>>;
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Every event of each stream, without metadata (EventFacts), in version order: what an audit of many parcours reads. */
  abstract readStreamFacts(streamIds: readonly string[]): Promise<Map<string, EventFacts[]>>;
  abstract readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /**
   * A cursor at or past every event committed now: a reader whose page ends (`isEnd`) at or
   * beyond it has seen all of them, even those a longer transaction still kept above the horizon.
   */
  abstract committedMark(): Promise<AllCursor>;
  /** Calls `listener` after events were appended (here or, on PostgreSQL, by another instance). */
  abstract onAppended(listener: () => void): () => void;
}

export function encodeCursor(cursor: AllCursor): string {
  return `${cursor.transactionId}-${cursor.position}`;
}

/** The largest transaction id (`xid8` is an unsigned 64-bit integer). */
const MAX_TRANSACTION_ID = 2n ** 64n - 1n;

export function decodeCursor(text: string): AllCursor {
  // As encodeCursor writes them, without leading zeros: PostgreSQL reads `010` as an octal xid8
  // (another cursor) and `08` not at all (a 500). Out of range, it refuses the transaction id, and
  // a position past 2^53 reads as another number.
  const match = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,15})$/.exec(text);
  if (!match || BigInt(match[1]!) > MAX_TRANSACTION_ID || !Number.isSafeInteger(Number(match[2]))) throw new InvalidCursorError(text);
  return { transactionId: match[1]!, position: Number(match[2]) };
}

export function compareCursors(a: AllCursor, b: AllCursor): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.position - b.position;
}

export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

export class ConcurrencyError extends Error {
  readonly code = 'concurrency_conflict';
  constructor(readonly streamId: string, readonly expectedVersion: ExpectedVersion, readonly actualVersion: number) {
    super(`stream ${streamId} is at version ${actualVersion}, expected ${String(expectedVersion)}`);
    this.name = 'ConcurrencyError';
  }
}

export class EventIdConflictError extends Error {
  readonly code = 'event_id_conflict';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already used by a different event`);
    this.name = 'EventIdConflictError';
  }
}

export class InvalidAppendError extends Error {
  readonly code = 'invalid_append';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor(readonly cursor: string) {
    super(`not a valid position in the event log: "${cursor}"`);
    this.name = 'InvalidCursorError';
  }
}
