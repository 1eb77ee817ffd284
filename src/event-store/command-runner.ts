import { randomUUID } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '../database/sql-client.js';
import { ConcurrencyError, type EventMetadata, type RecordedEvent } from './event-store.js';
import type { SqlEventStore } from './sql/sql-event-store.js';

/** What a write side needs from a domain: a fold and a starting point. */
export interface Fold<State, Event extends { type: string; data: unknown }> {
  initial: State;
  evolve(state: State, event: Event): State;
}

export interface Change<State, Event> {
  streamId: string;
  before: State;
  after: State;
  /** Version after the change (equal to the previous one when nothing was decided). */
  version: number;
  events: RecordedEvent<string, Event extends { data: infer D } ? D : unknown>[];
}

export interface RunOptions<State, Event> {
  /** The version the caller saw (If-Match): a mismatch fails at once with a ConcurrencyError. */
  expectedVersion?: number;
  metadata: EventMetadata;
  /** Event ids for the decided events (deterministic ids make a retried request unable to double-write). */
  eventId?: (index: number) => string;
  /**
   * Writes that must commit with the events (inline projections, idempotency records). Runs in
   * the append's transaction, also when nothing was decided, so that a no-op is recorded too.
   */
  inTransaction?: (tx: SqlExecutor, change: Change<State, Event>) => Promise<void>;
}

export interface RunResult<State, Event> extends Change<State, Event> {
  changed: boolean;
}

const MAX_ATTEMPTS = 5;
const CACHE_SIZE = 10_000;

/**
 * Runs a command against a stream: reads what it does not know yet, folds, lets the decision
 * function decide, appends with the version it read (and the caller's inline writes, in one
 * transaction). A concurrent writer makes it start over from the fresh state, unless the caller
 * stated the version it saw, in which case the conflict is the answer (412).
 *
 * Folded states are kept in a bounded cache keyed by stream, so a command on a known stream reads
 * only the events appended since; states are immutable, so sharing them is safe.
 */
export class CommandRunner {
  private readonly cache = new Map<string, { version: number; state: unknown }>();

  constructor(
    private readonly db: SqlClient,
    private readonly store: SqlEventStore,
  ) {}

  /** Current state and version of a stream. */
  async load<State, Event extends { type: string; data: unknown }>(
    streamId: string,
    fold: Fold<State, Event>,
  ): Promise<{ state: State; version: number }> {
    const cached = this.cache.get(streamId) as { version: number; state: State } | undefined;
    let state = cached?.state ?? fold.initial;
    let version = cached?.version ?? 0;
    const newer = await this.store.readStream(streamId, { from: version + 1 });
    for (const event of newer) {
      state = fold.evolve(state, { type: event.type, data: event.data } as Event);
      version = event.streamVersion;
    }
    this.remember(streamId, version, state);
    return { state, version };
  }

  async run<State, Event extends { type: string; data: unknown }>(
    streamId: string,
    fold: Fold<State, Event>,
    decide: (state: State, version: number) => Event[],
    options: RunOptions<State, Event>,
  ): Promise<RunResult<State, Event>> {
    for (let attempt = 1; ; attempt += 1) {
      const { state, version } = await this.load(streamId, fold);
      if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
        throw new ConcurrencyError(streamId, options.expectedVersion, version);
      }
      const decided = decide(state, version);
      const after = decided.reduce(fold.evolve, state);
      const newEvents = decided.map((event, index) => ({
        eventId: options.eventId?.(index) ?? randomUUID(),
        type: event.type,
        data: event.data,
        metadata: options.metadata,
      }));
      try {
        const change = await this.commit(streamId, state, after, version, newEvents, options);
        if (change.events.length) this.remember(streamId, change.version, after);
        return { ...change, changed: change.events.length > 0 };
      } catch (error) {
        this.cache.delete(streamId);
        if (!(error instanceof ConcurrencyError) || options.expectedVersion !== undefined || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async commit<State, Event>(
    streamId: string,
    before: State,
    after: State,
    version: number,
    newEvents: { eventId: string; type: string; data: unknown; metadata: EventMetadata }[],
    options: RunOptions<State, Event>,
  ): Promise<Change<State, Event>> {
    const nothing: Change<State, Event> = { streamId, before, after: before, version, events: [] };
    if (!options.inTransaction) {
      if (newEvents.length === 0) return nothing;
      const result = await this.store.appendToStream(streamId, newEvents, { expectedVersion: version });
      return { streamId, before, after, version: result.nextExpectedVersion, events: result.events as Change<State, Event>['events'] };
    }
    const change = await this.db.transaction(async (tx) => {
      if (newEvents.length === 0) {
        await options.inTransaction!(tx, nothing);
        return nothing;
      }
      const result = await this.store.appendInTransaction(tx, streamId, newEvents, { expectedVersion: version });
      const made: Change<State, Event> = {
        streamId,
        before,
        after,
        version: result.nextExpectedVersion,
        events: result.events as Change<State, Event>['events'],
      };
      await options.inTransaction!(tx, made);
      return made;
    });
    if (change.events.length) this.store.announce();
    return change;
  }

  private remember(streamId: string, version: number, state: unknown): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, { version, state });
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Forget a stream's cached state (after its events were changed outside the runner, e.g. erasure). */
  forget(streamId: string): void {
    this.cache.delete(streamId);
  }
}
