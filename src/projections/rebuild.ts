import type { SqlClient } from '../database/sql-client.js';
import { type AllCursor, type EventStore, START } from '../event-store/event-store.js';
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
  const session = await db.session();
  const writers = [session];
  const lockKeys = projections.map((projection) => `projection-rebuild:${projection.name}`);
  try {
    for (const key of lockKeys) {
      if (!(await tryLockInSchema(session, key))) throw new Error(`a rebuild of ${key.slice('projection-rebuild:'.length)} is already running`);
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
    const categories = [...new Set(projections.flatMap((projection) => projection.categories))];
    const types = [...new Set(projections.flatMap((projection) => projection.eventTypes))];
    const [{ total } = { total: 0 }] = await db.query<{ total: number }>(
      'SELECT count(*)::int AS total FROM events WHERE category = ANY($1::text[]) AND type = ANY($2::text[])',
      [categories, types],
    );
    // Each projection writes on a connection of its own, so that they apply a page side by side,
    // while the next page is already being read.
    for (const _projection of projections.slice(1)) writers.push(await db.session());
    const read = (after: AllCursor) => store.readAll({ after, limit: options.batchSize ?? 2_000, categories, types });
    let next = read(START);
    let done = 0;
    for (;;) {
      const page = await next;
      if (!page.isEnd) next = read(page.next);
      await Promise.all(
        projections.map((projection, index) =>
          writers[index]!.transaction((tx) => applyBatch(tx, projection, generations.get(projection)!, page.events, page.next)),
        ),
      );
      done += page.events.length;
      options.onProgress?.({ done, total: Math.max(total, done) });
      if (page.isEnd) break;
    }
    const results: RebuildResult[] = [];
    for (const projection of projections) {
      const generation = generations.get(projection)!;
      const previous = await session.transaction(async (tx) => {
        const live = await activeGeneration(tx, projection.name);
        await switchTo(tx, projection, generation);
        return live?.generation;
      });
      if (previous !== undefined && previous !== generation) await session.transaction((tx) => dropGeneration(tx, projection, previous));
      results.push({ name: projection.name, generation, events: done });
    }
    return results;
  } finally {
    await session.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await Promise.all(writers.map((writer) => writer.close()));
  }
}
