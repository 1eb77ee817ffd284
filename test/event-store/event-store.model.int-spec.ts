import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ConcurrencyError, type ExpectedVersion, type NewEvent } from '../../src/event-store/event-store.js';
import type { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { anEvent } from '../support/events.js';
import { readCommitted } from '../support/read-committed.js';
import { type EventStoreDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

/**
 * Model-based test: random sequences of appends (right, stale, ahead, 'no_stream', 'any'),
 * retries of earlier appends, and reads, run against the store and against a plain in-memory
 * model; every observable outcome must agree.
 */
interface Model {
  category: string;
  streams: string[];
  /** Per stream, the stored events in version order. */
  byStream: Map<string, NewEvent[]>;
  /** Every stored event in the order the store committed them. */
  global: NewEvent[];
  /** Successful appends, for retries. */
  history: Array<{ streamId: string; batch: NewEvent[]; expected: ExpectedVersion; nextExpectedVersion: number }>;
}

interface Real {
  store: SqlEventStore;
}

type Cmd = fc.AsyncCommand<Model, Real>;

const versionOf = (model: Model, streamId: string) => model.byStream.get(streamId)?.length ?? 0;

class Append implements Cmd {
  constructor(
    readonly stream: number,
    readonly count: number,
    readonly expectation: 'right' | 'stale' | 'ahead' | 'no_stream' | 'any',
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const streamId = model.streams[this.stream]!;
    const current = versionOf(model, streamId);
    const expected: ExpectedVersion =
      this.expectation === 'right' ? current
      : this.expectation === 'stale' ? (current > 0 ? current - 1 : current + 2)
      : this.expectation === 'ahead' ? current + 1
      : this.expectation;
    const batch = Array.from({ length: this.count }, () => anEvent('Modelled', { value: randomUUID() }));
    const succeeds = expected === 'any' || (expected === 'no_stream' ? current === 0 : expected === current);
    const outcome = await real.store.appendToStream(streamId, batch, { expectedVersion: expected }).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (succeeds) {
      if (!outcome.ok) throw new Error(`expected success at ${String(expected)} (current ${current}), got ${String(outcome.error)}`);
      expect(outcome.result.nextExpectedVersion).toBe(current + this.count);
      model.byStream.set(streamId, [...(model.byStream.get(streamId) ?? []), ...batch]);
      model.global.push(...batch);
      model.history.push({ streamId, batch, expected, nextExpectedVersion: current + this.count });
    } else {
      if (outcome.ok) throw new Error(`expected a conflict at ${String(expected)} (current ${current})`);
      expect(outcome.error).toBeInstanceOf(ConcurrencyError);
      expect((outcome.error as ConcurrencyError).actualVersion).toBe(current);
    }
  }
  toString = () => `Append(${this.stream}, ${this.count}, ${this.expectation})`;
}

/** Two writers race at the stream's current version: exactly one wins, the model takes the winner's events. */
class Race implements Cmd {
  constructor(readonly stream: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const streamId = model.streams[this.stream]!;
    const current = versionOf(model, streamId);
    const batches = [0, 1].map(() => [anEvent('Raced', { value: randomUUID() })]);
    const outcomes = await Promise.allSettled(
      batches.map((batch) => real.store.appendToStream(streamId, batch, { expectedVersion: current })),
    );
    const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    const batch = batches[winners[0]!]!;
    model.byStream.set(streamId, [...(model.byStream.get(streamId) ?? []), ...batch]);
    model.global.push(...batch);
    model.history.push({ streamId, batch, expected: current, nextExpectedVersion: current + 1 });
  }
  toString = () => `Race(${this.stream})`;
}

class Retry implements Cmd {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.history.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const earlier = model.history[this.pick % model.history.length]!;
    const result = await real.store.appendToStream(earlier.streamId, earlier.batch, { expectedVersion: earlier.expected });
    expect(result.alreadyAppended).toBe(true);
    expect(result.nextExpectedVersion).toBe(earlier.nextExpectedVersion);
  }
  toString = () => `Retry(${this.pick})`;
}

class ReadStream implements Cmd {
  constructor(
    readonly stream: number,
    readonly backward: boolean,
    readonly from: number | undefined,
    readonly limit: number | undefined,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const streamId = model.streams[this.stream]!;
    const stored = model.byStream.get(streamId) ?? [];
    const numbered = stored.map((event, index) => ({ id: event.eventId, version: index + 1 }));
    let expected = this.backward
      ? numbered.filter((event) => this.from === undefined || event.version <= this.from).reverse()
      : numbered.filter((event) => this.from === undefined || event.version >= this.from);
    if (this.limit !== undefined) expected = expected.slice(0, this.limit);
    const actual = await real.store.readStream(streamId, {
      direction: this.backward ? 'backward' : 'forward',
      from: this.from,
      limit: this.limit,
    });
    expect(actual.map((event) => ({ id: event.eventId, version: event.streamVersion }))).toEqual(expected);
  }
  toString = () => `ReadStream(${this.stream}, ${this.backward ? 'backward' : 'forward'}, from ${this.from}, limit ${this.limit})`;
}

class ReadAll implements Cmd {
  constructor(readonly pageSize: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const { events } = await readCommitted(real.store, { limit: this.pageSize, categories: [model.category] });
    const ids = events.map((event) => event.eventId);
    expect(ids).toEqual(model.global.map((event) => event.eventId));
  }
  toString = () => `ReadAll(page ${this.pageSize})`;
}

const commands = [
  fc.tuple(fc.nat(2), fc.integer({ min: 1, max: 4 }), fc.constantFrom('right', 'right', 'stale', 'ahead', 'no_stream', 'any' as const)).map(
    ([stream, count, expectation]) => new Append(stream, count, expectation as Append['expectation']),
  ),
  fc.nat(2).map((stream) => new Race(stream)),
  fc.nat().map((pick) => new Retry(pick)),
  fc
    .tuple(fc.nat(2), fc.boolean(), fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }))
    .map(([stream, backward, from, limit]) => new ReadStream(stream, backward, from, limit)),
  fc.integer({ min: 1, max: 6 }).map((pageSize) => new ReadAll(pageSize)),
];

describe.each(databaseTargets())('event store against an in-memory model on $name', (target) => {
  let opened: EventStoreDatabase;

  beforeAll(async () => (opened = await openEventStore(target)));
  afterAll(() => closeEventStore(opened));

  it('agrees with the model on every random sequence of appends, retries and reads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (sequence) => {
        const category = `m${randomUUID().replaceAll('-', '').slice(0, 12)}`;
        const model: Model = {
          category,
          streams: [0, 1, 2].map(() => `${category}-${randomUUID()}`),
          byStream: new Map(),
          global: [],
          history: [],
        };
        await fc.asyncModelRun(() => ({ model, real: { store: opened.store } }), sequence);
      }),
      { numRuns: 40 },
    );
  });
});
