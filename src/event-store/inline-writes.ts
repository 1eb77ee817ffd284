/**
 * Writes that commit with an append, and only if the append succeeds: the inline read models
 * (`parcours_details`, the partner directory, the blind indexes), the access journal entry, the
 * idempotency record, an erasure's key destruction. A module declares them as data — which table,
 * which rows, which match — and the store's adapter compiles them into the append itself (the SQL
 * adapter: one statement, no extra round trip, no explicit transaction). No module needs to know
 * how the append is written, what its parts are called or how its parameters are numbered.
 *
 * Values are bound as parameters of the declared `type` (a PostgreSQL type name). The few SQL
 * fragments a write may carry (`where`, `onConflict`, an `expression`) are the module's own
 * constant text, never built from input.
 */

export interface InlineColumn {
  name: string;
  /** The column's SQL type; `recorded_at` takes no value: the append's recording time. */
  type: string;
}

/** An equality the target rows must satisfy: a column (or an expression of the row's columns) equal to a value. */
export interface InlineMatch {
  column: string;
  type: string;
  value: unknown;
}

/**
 * Rows inserted. With one stream, one INSERT; with a batch of new streams (`appendNewStreams`), the
 * rows of every stream's write of the same shape go in one INSERT together.
 */
export interface RowsWrite {
  kind: 'rows';
  table: string;
  /** Each column and its type. A value of an array type (`uuid[]`) is given as its text. */
  columns: readonly InlineColumn[];
  /** One value per column but the `recorded_at` ones, in their order. */
  rows: ReadonlyArray<readonly unknown[]>;
  /** A condition on each row (its columns as `r.<name>`), e.g. that its subject was not erased. */
  where?: string;
  /** The statement's `ON CONFLICT …` clause, if any. */
  onConflict?: string;
  /** Tells other instances, on this channel, the value of this column of each row inserted (an erasure: forget the key). */
  notify?: { channel: string; column: string };
}

export type InlineAssignment =
  | { column: string; type: string; value: unknown }
  /** The append's recording time. */
  | { column: string; type: 'recorded_at' }
  /** An expression of the row's own columns (a note blanked inside a JSON document). */
  | { column: string; expression: string };

/** Rows updated: those matching every `match` (and `where`, a condition on the row's columns). */
export interface UpdateWrite {
  kind: 'update';
  table: string;
  set: readonly InlineAssignment[];
  match: readonly InlineMatch[];
  where?: string;
}

/**
 * Rows deleted: those matching every `match`, except the ones whose `keep.columns` equal one of
 * `keep.rows` (the kinds of blind index a rectification keeps).
 */
export interface DeleteWrite {
  kind: 'delete';
  table: string;
  match: readonly InlineMatch[];
  keep?: { columns: readonly InlineColumn[]; rows: ReadonlyArray<readonly unknown[]> };
}

export type InlineWrite = RowsWrite | UpdateWrite | DeleteWrite;

/**
 * An inline write broke a unique constraint the caller named as its own refusal (one open parcours
 * per person): nothing was written, the events included.
 */
export class InlineWriteConflictError extends Error {
  readonly code = 'inline_write_conflict';
  constructor(readonly constraint: string) {
    super(`an inline write broke the unique constraint ${constraint}: nothing was appended`);
    this.name = 'InlineWriteConflictError';
  }
}

/**
 * Columns written as a table is described: `'parcours_id uuid, version integer, updated_at recorded_at'`.
 * Read once, when a module declares its writes.
 */
export function tableColumns(spec: string): InlineColumn[] {
  return spec.split(',').map((part) => {
    const [name, type, ...rest] = part.trim().split(/\s+/);
    if (!name || !type || rest.length > 0) throw new Error(`not a column: "${part.trim()}" (name type)`);
    return { name, type };
  });
}

/** A value of an array column as the text the store binds (`{"a","b"}`), each element quoted. */
export function arrayText(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, (character) => `\\${character}`)}"`).join(',')}}`;
}
