import type { SqlExecutor } from '../database/sql-client.js';
import { type AllCursor, START, categoryOf } from '../event-store/event-store.js';
import { type Projection, type ProjectedEvent, generationPrefix } from './projection.js';

/*
 * The SQL side of the engine: generations, views, checkpoints, errors, and applying a batch.
 * Everything here runs inside a transaction the caller holds, so a batch's rows, its errors and
 * its checkpoint commit together or not at all.
 */

export interface Registration {
  generation: number;
  schemaVersion: number;
}

export interface Checkpoint {
  after: AllCursor;
  eventsApplied: number;
  lastEventAt: string | null;
}

/**
 * The advisory lock key of the name in `$1`, in this schema. Advisory locks belong to the database,
 * not the schema: without the schema in the key, two deployments (or two test files) in one
 * database would share their projections' leases and set-up locks.
 */
const SCHEMA_LOCK_KEY = `hashtext(current_schema() || ':' || $1)`;

/** Takes a session advisory lock named after `name` in this schema, or answers false. */
export async function tryLockInSchema(session: SqlExecutor, name: string): Promise<boolean> {
  const [lock] = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${SCHEMA_LOCK_KEY}) AS locked`, [name]);
  return lock?.locked === true;
}

/** The live generation, registering generation 1 (tables, views, checkpoint at the start) the first time. */
export async function register(tx: SqlExecutor, projection: Projection): Promise<Registration> {
  // Two instances starting together must not both create generation 1.
  await tx.query(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`, [`projection-setup:${projection.name}`]);
  const rows = await tx.query<{ active_generation: number; schema_version: number }>(
    'SELECT active_generation, schema_version FROM projection_registry WHERE name = $1',
    [projection.name],
  );
  if (rows[0]) return { generation: rows[0].active_generation, schemaVersion: rows[0].schema_version };
  await createGeneration(tx, projection, 1);
  await switchViews(tx, projection, 1);
  await tx.query('INSERT INTO projection_registry (name, active_generation, schema_version) VALUES ($1, 1, $2)', [projection.name, projection.schemaVersion]);
  return { generation: 1, schemaVersion: projection.schemaVersion };
}

export async function activeGeneration(tx: SqlExecutor, name: string): Promise<Registration | undefined> {
  const rows = await tx.query<{ active_generation: number; schema_version: number }>(
    'SELECT active_generation, schema_version FROM projection_registry WHERE name = $1',
    [name],
  );
  return rows[0] && { generation: rows[0].active_generation, schemaVersion: rows[0].schema_version };
}

/** The next free generation number (live, being rebuilt or left over). */
export async function nextGeneration(tx: SqlExecutor, name: string): Promise<number> {
  const rows = await tx.query<{ next: number }>(
    `SELECT greatest(coalesce((SELECT max(generation) FROM projection_checkpoints WHERE name = $1), 0),
                     coalesce((SELECT active_generation FROM projection_registry WHERE name = $1), 0)) + 1 AS next`,
    [name],
  );
  return rows[0]!.next;
}

/** A generation's tables, empty, with its checkpoint at the very start. */
export async function createGeneration(tx: SqlExecutor, projection: Projection, generation: number): Promise<void> {
  const prefix = generationPrefix(projection.name, generation);
  if (projection.kind === 'document') {
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${prefix} (key text PRIMARY KEY, doc jsonb NOT NULL)`);
    for (const index of projection.indexes ?? []) await tx.exec(index.replaceAll('{table}', prefix));
  } else {
    await projection.create(tx, prefix);
  }
  await tx.query(
    `INSERT INTO projection_checkpoints (name, generation, schema_version, transaction_id, position)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, generation) DO NOTHING`,
    [projection.name, generation, projection.schemaVersion, START.transactionId, START.position],
  );
}

/** Points the read model's views at a generation and records it as live: readers switch at commit. */
export async function switchTo(tx: SqlExecutor, projection: Projection, generation: number): Promise<void> {
  await switchViews(tx, projection, generation);
  await tx.query(
    `INSERT INTO projection_registry (name, active_generation, schema_version, switched_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET active_generation = EXCLUDED.active_generation, schema_version = EXCLUDED.schema_version, switched_at = now()`,
    [projection.name, generation, projection.schemaVersion],
  );
}

async function switchViews(tx: SqlExecutor, projection: Projection, generation: number): Promise<void> {
  const prefix = generationPrefix(projection.name, generation);
  const views = projection.kind === 'document' ? { [projection.name]: prefix } : projection.views(prefix);
  for (const [view, table] of Object.entries(views)) {
    // Dropped and created rather than replaced: a new shape may have other columns.
    await tx.exec(`DROP VIEW IF EXISTS ${view}; CREATE VIEW ${view} AS SELECT * FROM ${table}`);
  }
}

export async function dropGeneration(tx: SqlExecutor, projection: Projection, generation: number): Promise<void> {
  const prefix = generationPrefix(projection.name, generation);
  const tables = projection.kind === 'document' ? [prefix] : projection.tables(prefix);
  for (const table of tables) await tx.exec(`DROP TABLE IF EXISTS ${table}`);
  await tx.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [projection.name, generation]);
}

export async function readCheckpoint(tx: SqlExecutor, name: string, generation: number): Promise<Checkpoint | undefined> {
  const rows = await tx.query<{ transaction_id: string; position: number; events_applied: number; last_event_at: Date | null }>(
    'SELECT transaction_id, position, events_applied, last_event_at FROM projection_checkpoints WHERE name = $1 AND generation = $2',
    [name, generation],
  );
  const row = rows[0];
  return (
    row && {
      after: { transactionId: row.transaction_id, position: row.position },
      eventsApplied: row.events_applied,
      lastEventAt: row.last_event_at?.toISOString() ?? null,
    }
  );
}

export interface BatchOutcome {
  applied: number;
  failed: number;
}

/**
 * Applies a page of the global order to a generation and moves its checkpoint to `next`, in the
 * caller's transaction. Events the projection does not read are skipped; an event it cannot handle
 * is recorded in projection_errors and skipped too, so one bad value never stops a read model.
 */
export async function applyBatch(
  tx: SqlExecutor,
  projection: Projection,
  generation: number,
  events: readonly ProjectedEvent[],
  next: AllCursor,
): Promise<BatchOutcome> {
  const prefix = generationPrefix(projection.name, generation);
  const types = new Set(projection.eventTypes);
  const categories = new Set(projection.categories);
  const relevant = events.filter((event) => types.has(event.type) && categories.has(categoryOf(event.streamId)));
  const failures: Array<{ event: ProjectedEvent; error: unknown }> = [];
  const failed = (event: ProjectedEvent, error: unknown) => failures.push({ event, error });
  if (relevant.length) {
    if (projection.kind === 'document') await applyDocuments(tx, projection, prefix, relevant, failed);
    else await projection.apply(tx, prefix, relevant, failed);
  }
  if (failures.length) {
    await tx.query(
      `INSERT INTO projection_errors (name, generation, global_position, event_id, event_type, message)
       SELECT $1, $2, * FROM unnest($3::bigint[], $4::uuid[], $5::text[], $6::text[])`,
      [
        projection.name,
        generation,
        failures.map((failure) => failure.event.globalPosition),
        failures.map((failure) => failure.event.eventId),
        failures.map((failure) => failure.event.type),
        failures.map((failure) => (failure.error instanceof Error ? failure.error.message : String(failure.error)).slice(0, 1000)),
      ],
    );
  }
  const lastAt = relevant.length ? relevant[relevant.length - 1]!.recordedAt : null;
  await tx.query(
    `UPDATE projection_checkpoints
        SET transaction_id = $3, position = $4, events_applied = events_applied + $5,
            last_event_at = coalesce($6::timestamptz, last_event_at), updated_at = now()
      WHERE name = $1 AND generation = $2`,
    [projection.name, generation, next.transactionId, next.position, relevant.length - failures.length, lastAt],
  );
  return { applied: relevant.length - failures.length, failed: failures.length };
}

async function applyDocuments(
  tx: SqlExecutor,
  projection: Extract<Projection, { kind: 'document' }>,
  table: string,
  events: readonly ProjectedEvent[],
  failed: (event: ProjectedEvent, error: unknown) => void,
): Promise<void> {
  const keyed: Array<{ key: string; event: ProjectedEvent }> = [];
  for (const event of events) {
    try {
      const key = projection.keyOf(event);
      if (key !== null) keyed.push({ key, event });
    } catch (error) {
      failed(event, error);
    }
  }
  if (keyed.length === 0) return;
  const keys = [...new Set(keyed.map((item) => item.key))];
  const stored = await tx.query<{ key: string; doc: unknown }>(`SELECT key, doc FROM ${table} WHERE key = ANY($1::text[])`, [keys]);
  const docs = new Map<string, unknown>(stored.map((row) => [row.key, row.doc]));
  const touched = new Set<string>();
  for (const { key, event } of keyed) {
    try {
      docs.set(key, projection.reduce(docs.has(key) ? docs.get(key) : null, event));
      touched.add(key);
    } catch (error) {
      failed(event, error);
    }
  }
  const upserted = [...touched].filter((key) => docs.get(key) !== null && docs.get(key) !== undefined);
  const deleted = [...touched].filter((key) => docs.get(key) === null || docs.get(key) === undefined);
  if (upserted.length) {
    await tx.query(
      `INSERT INTO ${table} (key, doc)
       SELECT k.key, d.doc FROM unnest($1::text[]) WITH ORDINALITY AS k(key, i)
         JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS d(doc, i) ON d.i = k.i
       ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc`,
      [upserted, JSON.stringify(upserted.map((key) => docs.get(key)))],
    );
  }
  if (deleted.length) await tx.query(`DELETE FROM ${table} WHERE key = ANY($1::text[])`, [deleted]);
}
