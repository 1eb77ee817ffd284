import type { SqlExecutor } from '../database/sql-client.js';
import type { RecordedEvent } from '../event-store/event-store.js';

/**
 * Asynchronous projections (DESIGN §3, §7): read models fed from the store's global order by the
 * projection runner, which writes their rows and its checkpoint in one transaction (each event is
 * applied exactly once, whatever crashes). Two kinds:
 *
 * - a document projection keeps one JSON document per key (usually a parcours) and says, for each
 *   event, which key it touches and how the document changes: `(doc | null, event) → doc | null`,
 *   pure. Reports are then pure functions over the documents;
 * - a custom projection writes its own tables (an append-only feed, say).
 *
 * A projection never throws on data: an event its reducer cannot handle is recorded as a projection
 * error with its position, and processing goes on with the next one (see `projection_errors` and
 * `cli projections status`).
 */
export type ProjectedEvent = RecordedEvent;

interface ProjectionBase {
  /** The read model's name, after the question it answers (`caseload`, `territory_indicators`…). */
  name: string;
  /**
   * The shape of what it stores. Bumping it makes the runner rebuild the projection into a new
   * generation beside the live one and switch when caught up.
   */
  schemaVersion: number;
  /** Stream categories it reads (`parcours`, `partner`). */
  categories: readonly string[];
  /** Event types it reads; others are skipped without being fetched. */
  eventTypes: readonly string[];
}

export interface DocumentProjection<Doc = unknown> extends ProjectionBase {
  kind: 'document';
  /** The document an event touches, or null if none. */
  keyOf(event: ProjectedEvent): string | null;
  /** The document after the event (null deletes it). Pure; may throw on bad data (recorded, skipped). */
  reduce(doc: Doc | null, event: ProjectedEvent): Doc | null;
  /** Extra indexes on a generation's table, `{table}` standing for its name (key text primary key, doc jsonb). */
  indexes?: readonly string[];
}

export interface CustomProjection extends ProjectionBase {
  kind: 'custom';
  /** Creates the tables of a generation; their names derive from `prefix` (`<name>_g<generation>`). */
  create(tx: SqlExecutor, prefix: string): Promise<void>;
  /**
   * Applies a batch inside the runner's transaction. Must not throw on data: call `failed` for an
   * event it cannot handle and go on.
   */
  apply(tx: SqlExecutor, prefix: string, events: readonly ProjectedEvent[], failed: (event: ProjectedEvent, error: unknown) => void): Promise<void>;
  /** Tables of a generation, to drop once a rebuild switched away from it. */
  tables(prefix: string): readonly string[];
  /** Views the live generation is reached through: `{ view: table }`. */
  views(prefix: string): Readonly<Record<string, string>>;
}

export type Projection = DocumentProjection | CustomProjection;

/** `<name>_g<generation>`: where a generation's tables live. The live one is reached through views. */
export function generationPrefix(name: string, generation: number): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`projection names are snake_case identifiers: ${name}`);
  return `${name}_g${generation}`;
}

/** The parcours id of a `parcours-<uuid>` stream. */
export function parcoursIdOf(event: { streamId: string }): string | null {
  return event.streamId.startsWith('parcours-') ? event.streamId.slice('parcours-'.length) : null;
}

/**
 * The asynchronous read models the runners keep, as the composition root chooses them
 * (src/read-models.ts): this folder runs projections and knows none of them.
 */
export const ASYNC_READ_MODELS = Symbol('ASYNC_READ_MODELS');
