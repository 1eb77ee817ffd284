import type { SqlClient, SqlSession } from '../database/sql-client.js';
import { type AllCursor, type EventStore, type RecordedEvent, START } from '../event-store/event-store.js';
import type { Projection } from './projection.js';
import { activeGeneration, applyBatch, createGeneration, dropGeneration, nextGeneration, register, switchTo, tryLockInSchema } from './projection-tables.js';

export interface RebuildProgress {
  done: number;
  total: number;
}

export interface RebuildResult {
  name: string;
  generation: number;
  events: number;
}

/**
 * Rebuilds projections from position zero into new generations beside the live ones, reading the
 * store once for all of them, then switches each read model's views in one transaction and drops
 * the old generations. Readers see the old state until the switch and the new one after; the live
 * runners follow the switch and go on from the new generations' checkpoints.
 */
export async function rebuildProjections(
  db: SqlClient,
  store: EventStore,
  projections: readonly Projection[],
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildResult[]> {
  const build = await GenerationsBuild.begin(db, projections);
  try {
    await build.catchUp(store, options);
    return await build.switchTo();
  } finally {
    await build.close();
  }
}

/**
 * New generations of projections being built beside the live ones: from the store (`catchUp`, what
 * a rebuild does), or from pages of the global order the caller already holds (`apply`: the demo
 * loader, which has just appended them and need not read them back), then switched to at once.
 * Each page goes to every projection, each in a transaction of its own, with its checkpoint.
 */
export class GenerationsBuild {
  private cursor: AllCursor = START;
  private applied = 0;

  private constructor(
    private readonly db: SqlClient,
    private readonly session: SqlSession,
    private readonly writers: readonly SqlSession[],
    private readonly projections: readonly Projection[],
    private readonly generations: ReadonlyMap<Projection, number>,
  ) {}

  /** Takes the projections' rebuild locks and creates their new generations, empty, at the start. */
  static async begin(db: SqlClient, projections: readonly Projection[]): Promise<GenerationsBuild> {
    const session = await db.session();
    const writers = [session];
    try {
      for (const projection of projections) {
        const key = `projection-rebuild:${projection.name}`;
        if (!(await tryLockInSchema(session, key))) throw new Error(`a rebuild of ${projection.name} is already running`);
      }
      const generations = new Map<Projection, number>();
      for (const projection of projections) {
        await session.transaction((tx) => register(tx, projection));
        const generation = await session.transaction(async (tx) => {
          const next = await nextGeneration(tx, projection.name);
          await createGeneration(tx, projection, next);
          return next;
        });
        generations.set(projection, generation);
      }
      // Each projection writes on a connection of its own, so that they apply a page side by side,
      // while the next page is already being read.
      for (const _projection of projections.slice(1)) writers.push(await db.session());
      return new GenerationsBuild(db, session, writers, projections, generations);
    } catch (error) {
      await release(session, writers);
      throw error;
    }
  }

  /** Events applied so far. */
  get events(): number {
    return this.applied;
  }

  /**
   * Applies the next page of the global order, events in that order and after every page before,
   * and moves the checkpoints to `next` (for a page cut by the caller, its last event's place).
   */
  async apply(events: readonly RecordedEvent[], next: AllCursor): Promise<void> {
    await Promise.all(
      this.projections.map((projection, index) =>
        this.writers[index]!.transaction((tx) => applyBatch(tx, projection, this.generations.get(projection)!, events, next)),
      ),
    );
    this.cursor = next;
    this.applied += events.length;
  }

  /** Reads the store from where the build stands to its end, in pages of `batchSize` events. */
  async catchUp(store: EventStore, options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {}): Promise<void> {
    const categories = [...new Set(this.projections.flatMap((projection) => projection.categories))];
    const types = [...new Set(this.projections.flatMap((projection) => projection.eventTypes))];
    const [{ total } = { total: 0 }] = await this.db.query<{ total: number }>(
      'SELECT count(*)::int AS total FROM events WHERE category = ANY($1::text[]) AND type = ANY($2::text[])',
      [categories, types],
    );
    const read = (after: AllCursor) => store.readAll({ after, limit: options.batchSize ?? 2_000, categories, types });
    let next = read(this.cursor);
    for (;;) {
      const page = await next;
      if (!page.isEnd) next = read(page.next);
      await this.apply(page.events, page.next);
      options.onProgress?.({ done: this.applied, total: Math.max(total, this.applied) });
      if (page.isEnd) break;
    }
  }

  /** Points each read model at its new generation and drops the one it leaves. */
  async switchTo(): Promise<RebuildResult[]> {
    const results: RebuildResult[] = [];
    for (const projection of this.projections) {
      const generation = this.generations.get(projection)!;
      const previous = await this.session.transaction(async (tx) => {
        const live = await activeGeneration(tx, projection.name);
        await switchTo(tx, projection, generation);
        return live?.generation;
      });
      if (previous !== undefined && previous !== generation) await this.session.transaction((tx) => dropGeneration(tx, projection, previous));
      results.push({ name: projection.name, generation, events: this.applied });
    }
    return results;
  }

  /** Lets the rebuild locks go and closes the connections (a build not switched to is left unused). */
  async close(): Promise<void> {
    await release(this.session, this.writers);
  }
}

async function release(session: SqlSession, writers: readonly SqlSession[]): Promise<void> {
  await session.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
  await Promise.all(writers.map((writer) => writer.close()));
}
