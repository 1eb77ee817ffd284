import { randomUUID } from 'node:crypto';
import { ConcurrencyError, type EventMetadata, type EventStore, type RecordedEvent } from './event-store.js';
import type { InlineWrite } from './inline-writes.js';

/** What a write side needs from a domain: a fold and a starting point. */
export interface Fold<State, Event extends { type: string; data: unknown }> {
  initial: State;
  evolve(state: State, event: Event): State;
  /** Several events at once, when the domain can do better than folding them one by one. */
  evolveAll?(state: State, events: readonly Event[]): State;
}

export interface Change<State, Event> {
  streamId: string;
  before: State;
  after: State;
  /** Version after the change (equal to the previous one when nothing was decided). */
  version: number;
  events: RecordedEvent<string, Event extends { data: infer D } ? D : unknown>[];
}

/** A decision about to be appended: what follow-up writes are built from. */
export interface Decision<State, Event> {
  streamId: string;
  after: State;
  /** The version the stream will have once the events are appended. */
  version: number;
  events: Array<{ eventId: string; type: string; data: Event extends { data: infer D } ? D : unknown }>;
  metadata: EventMetadata;
}

export interface RunOptions<State, Event> {
  /** The version the caller saw (If-Match): a mismatch fails with a ConcurrencyError (412). */
  expectedVersion?: number;
  metadata: EventMetadata;
  /** Event ids for the decided events (deterministic ids make a retried request unable to double-write). */
  eventId?: (index: number) => string;
  /**
   * Writes that commit with the events (inline read models, journal, idempotency record), declared
   * (inline-writes.ts): the store writes them with the append, one round trip for the whole command.
   */
  followups?: (decision: Decision<State, Event>) => readonly InlineWrite[];
  /** Unique constraints of the follow-ups whose violation is the caller's to answer (an InlineWriteConflictError). */
  followupConstraints?: readonly string[];
}

export interface RunResult<State, Event> extends Change<State, Event> {
  changed: boolean;
}

const MAX_ATTEMPTS = 5;
const CACHE_SIZE = 10_000;

/**
 * Runs a command against a stream: folds what it knows, lets the decision function decide and
 * appends with the version the decision was made on, with the caller's inline writes. A concurrent
 * writer makes it start over from the fresh state, unless the caller stated the version it saw, in
 * which case the conflict is the answer (412).
 *
 * Folded states are kept in a bounded cache. A decision on a cached state is safe without reading
 * the stream first: the append only succeeds if the stream is still at that version, and fails
 * (then reloads and decides again) if another instance wrote meanwhile. A decision to do nothing
 * is not checked by an append, so it is confirmed on a freshly read state.
 */
export class CommandRunner {
  private readonly cache = new Map<string, { version: number; state: unknown }>();

  constructor(private readonly store: EventStore) {}

  /** Current state and version of a stream, read from the store (what the cache knows, plus what came since). */
  async load<State, Event extends { type: string; data: unknown }>(
    streamId: string,
    fold: Fold<State, Event>,
  ): Promise<{ state: State; version: number }> {
    const cached = this.cache.get(streamId) as { version: number; state: State } | undefined;
    let state = cached?.state ?? fold.initial;
    let version = cached?.version ?? 0;
    const newer = await this.store.readStream(streamId, { from: version + 1 });
    const events = newer.map((event) => ({ type: event.type, data: event.data }) as Event);
    state = fold.evolveAll ? fold.evolveAll(state, events) : events.reduce(fold.evolve, state);
    version = newer.at(-1)?.streamVersion ?? version;
    this.remember(streamId, version, state);
    return { state, version };
  }

  /**
   * The state a command would be decided on, for checks to make before preparing it (who may reach
   * the stream): the cached state without a query when there is one (`fresh: false`: another
   * instance may have moved the stream on, so a refusal must be confirmed on a fresh load), else
   * the stream read. Costs `run` nothing more: the state loaded here is the cached one it starts from.
   */
  async current<State, Event extends { type: string; data: unknown }>(
    streamId: string,
    fold: Fold<State, Event>,
  ): Promise<{ state: State; version: number; fresh: boolean }> {
    const cached = this.cache.get(streamId) as { version: number; state: State } | undefined;
    if (cached) return { ...cached, fresh: false };
    return { ...(await this.load(streamId, fold)), fresh: true };
  }

  async run<State, Event extends { type: string; data: unknown }>(
    streamId: string,
    fold: Fold<State, Event>,
    decide: (state: State, version: number) => Event[],
    options: RunOptions<State, Event>,
  ): Promise<RunResult<State, Event>> {
    let fresh = false;
    for (let attempt = 1; ; attempt += 1) {
      const cached = this.cache.get(streamId) as { version: number; state: State } | undefined;
      const trustCache = cached !== undefined && !fresh && (options.expectedVersion === undefined || options.expectedVersion === cached.version);
      const { state, version } = trustCache ? cached : await this.load(streamId, fold);
      fresh = !trustCache;
      if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
        throw new ConcurrencyError(streamId, options.expectedVersion, version);
      }
      let decided: Event[];
      try {
        decided = decide(state, version);
      } catch (error) {
        // A refusal must not rest on a state another instance may have moved on from.
        if (fresh) throw error;
        fresh = true;
        continue;
      }
      if (decided.length === 0 && !fresh) {
        fresh = true;
        continue;
      }
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
        fresh = true;
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
    const made = (nextVersion: number, events: RecordedEvent[]): Change<State, Event> => ({
      streamId,
      before,
      after,
      version: nextVersion,
      events: events as Change<State, Event>['events'],
    });
    if (newEvents.length === 0) return nothing;
    const followups = options.followups?.({
      streamId,
      after,
      version: version + newEvents.length,
      events: newEvents as Decision<State, Event>['events'],
      metadata: options.metadata,
    });
    const result = await this.store.appendToStream(streamId, newEvents, { expectedVersion: version, followups, followupConstraints: options.followupConstraints });
    return made(result.nextExpectedVersion, result.events);
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
