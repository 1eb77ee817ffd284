import type { DeleteWrite, InlineWrite, RowsWrite, UpdateWrite } from '../inline-writes.js';

/**
 * The SQL adapter's compilation of declared inline writes (inline-writes.ts) into data-modifying
 * statements guarded by an append: each selects from `guard`, the relation that holds the append's
 * row (with its `recorded_at`) once it succeeded and nothing otherwise, and numbers its parameters
 * from `first`. They become CTEs of the append statement itself.
 */
export function inlineWriteSql(write: InlineWrite, guard: string, first: number): { sql: string; params: readonly unknown[] } {
  switch (write.kind) {
    case 'rows':
      return rowsWriteSql(write, guard, first);
    case 'update':
      return updateWriteSql(write, guard, first);
    case 'delete':
      return deleteWriteSql(write, guard, first);
  }
}

/** The rows of one shape of write for a batch of new streams: each row kept if its stream (`items`) was appended. */
export function batchedRowsWriteSql(write: RowsWrite, rows: ReadonlyArray<readonly unknown[]>, items: readonly number[], first: number): { sql: string; params: unknown[] } {
  const { from } = unnestOf(write.columns, first, ['item']);
  return {
    sql: `INSERT INTO ${write.table} (${write.columns.map((column) => column.name).join(', ')})
          SELECT ${selectList(write)} FROM ${from} JOIN appended g ON g.item = r.item AND g.outcome = 'appended'
          ${write.where ? `WHERE ${write.where}` : ''} ${write.onConflict ?? ''}${returning(write, first + 1 + valuedOf(write.columns).length)}`,
    params: [items, ...columnsOf(write.columns, rows), ...notifyParams(write)],
  };
}

/** What makes two rows writes one INSERT in a batch: the same table, columns and clauses. */
export function rowsShapeOf(write: RowsWrite): string {
  return JSON.stringify([write.table, write.columns, write.where ?? '', write.onConflict ?? '', write.notify ?? null]);
}

function rowsWriteSql(write: RowsWrite, guard: string, first: number): { sql: string; params: unknown[] } {
  const { from } = unnestOf(write.columns, first);
  return {
    sql: `INSERT INTO ${write.table} (${write.columns.map((column) => column.name).join(', ')})
          SELECT ${selectList(write)} FROM (SELECT recorded_at FROM ${guard} LIMIT 1) g, ${from}
          ${write.where ? `WHERE ${write.where}` : ''} ${write.onConflict ?? ''}${returning(write, first + valuedOf(write.columns).length)}`,
    params: [...columnsOf(write.columns, write.rows), ...notifyParams(write)],
  };
}

function updateWriteSql(write: UpdateWrite, guard: string, first: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parameter = (value: unknown, type: string) => {
    params.push(value);
    return `$${first + params.length - 1}::${type}`;
  };
  const assignments = write.set.map((assignment) => {
    if ('expression' in assignment) return `${assignment.column} = ${assignment.expression}`;
    if (assignment.type === 'recorded_at') return `${assignment.column} = (SELECT recorded_at FROM ${guard} LIMIT 1)`;
    return `${assignment.column} = ${parameter((assignment as { value: unknown }).value, assignment.type)}`;
  });
  const conditions = write.match.map((match) => `${match.column} = ${parameter(match.value, match.type)}`);
  return {
    sql: `UPDATE ${write.table} SET ${assignments.join(', ')}
           WHERE ${[...conditions, ...(write.where ? [write.where] : []), `EXISTS (SELECT 1 FROM ${guard})`].join(' AND ')}`,
    params,
  };
}

function deleteWriteSql(write: DeleteWrite, guard: string, first: number): { sql: string; params: unknown[] } {
  const params: unknown[] = write.match.map((match) => match.value);
  const conditions = write.match.map((match, index) => `${match.column} = $${first + index}::${match.type}`);
  if (write.keep) {
    const { from } = unnestOf(write.keep.columns, first + params.length);
    params.push(...columnsOf(write.keep.columns, write.keep.rows));
    const same = write.keep.columns.map((column) => `r.${column.name} = t.${column.name}`).join(' AND ');
    conditions.push(`NOT EXISTS (SELECT 1 FROM ${from} WHERE ${same})`);
  }
  return { sql: `DELETE FROM ${write.table} t WHERE ${[...conditions, `EXISTS (SELECT 1 FROM ${guard})`].join(' AND ')}`, params };
}

function valuedOf(columns: RowsWrite['columns']): RowsWrite['columns'] {
  return columns.filter((column) => column.type !== 'recorded_at');
}

/** The value list of a rows write's SELECT: the recording time from the guard, array columns cast back from their text. */
function selectList(write: RowsWrite): string {
  return write.columns.map((column) => (column.type === 'recorded_at' ? 'g.recorded_at' : column.type.endsWith('[]') ? `r.${column.name}::${column.type}` : `r.${column.name}`)).join(', ');
}

/** The unnest of a write's values: one array parameter per valued column (array types as text). */
function unnestOf(columns: RowsWrite['columns'], first: number, leading: string[] = []): { from: string } {
  const casts = valuedOf(columns).map((column, index) => `$${first + leading.length + index}::${column.type.endsWith('[]') ? 'text' : column.type}[]`);
  const names = [...leading, ...valuedOf(columns).map((column) => column.name)];
  return { from: `unnest(${[...leading.map((_, index) => `$${first + index}::integer[]`), ...casts].join(', ')}) AS r(${names.join(', ')})` };
}

function columnsOf(columns: RowsWrite['columns'], rows: ReadonlyArray<readonly unknown[]>): unknown[][] {
  return Array.from({ length: valuedOf(columns).length }, (_, index) => rows.map((row) => row[index] ?? null));
}

function returning(write: RowsWrite, parameter: number): string {
  return write.notify ? `\n          RETURNING pg_notify($${parameter}::text, ${write.notify.column}::text)` : '';
}

function notifyParams(write: RowsWrite): unknown[] {
  return write.notify ? [write.notify.channel] : [];
}
