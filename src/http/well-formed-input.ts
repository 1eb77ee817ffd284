import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { type FieldError, ProblemError } from './problem.js';

/**
 * Deeper than any request this API documents (an identity's address is three levels down), far
 * shallower than what makes class-transformer's recursion overflow the stack (a few thousand).
 */
export const MAX_INPUT_DEPTH = 32;

/** Enough to fix a request; a body full of faults must not make an answer as large. */
const MAX_FIELD_ERRORS = 20;

/**
 * Refuses, for every route and before any guard, pipe or handler, the input no field of this API
 * may hold, wherever it comes from (query, path parameters, JSON body, keys included):
 * - NUL, which PostgreSQL refuses in `text` and `jsonb` (a 500 at the first query, or worse, after
 *   some statements of the request were already written);
 * - lone UTF-16 surrogates, which are not Unicode: they reach the database as U+FFFD, so what is
 *   stored differs from what was checked (a member id that then matches nobody);
 * - a body nested deeper than `MAX_INPUT_DEPTH`, walked without recursion so that the check
 *   itself cannot overflow.
 * One check here rather than a constraint on each DTO field: a field added tomorrow is covered.
 */
export function registerWellFormedInput(fastify: FastifyInstance): void {
  // A callback hook, not an async one: no promise per request on the hot path.
  fastify.addHook('preValidation', (request, _reply, done) => {
    // An unknown route answers 404 whatever its path holds.
    const errors = request.is404 ? [] : malformedInput(request);
    if (errors.length === 0) return done();
    done(new ProblemError(400, 'validation_failed', 'The request is invalid', `${errors.length} invalid field(s)`, { errors }) as unknown as FastifyError);
  });
}

/** The faults of a request's input, one per field: body fields by dotted path, query parameters and path segments by name. */
export function malformedInput(request: Pick<FastifyRequest, 'query' | 'params' | 'body'>): FieldError[] {
  const errors: FieldError[] = [];
  for (const source of [request.params, request.query]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source)) walk(value, name, errors);
  }
  walk(request.body, '', errors);
  return errors.slice(0, MAX_FIELD_ERRORS);
}

/** A value still to look at, and where it is: its path is spelled only for a fault (most requests have none). */
interface Pending {
  value: unknown;
  key: string;
  parent: Pending | undefined;
  depth: number;
}

function pathOf(entry: Pending): string {
  let path = entry.key;
  for (let at = entry.parent; at; at = at.parent) if (at.key) path = `${at.key}.${path}`;
  return path;
}

function walk(root: unknown, rootPath: string, errors: FieldError[]): void {
  const pending: Pending[] = [{ value: root, key: rootPath, parent: undefined, depth: 0 }];
  while (pending.length && errors.length < MAX_FIELD_ERRORS) {
    const entry = pending.pop()!;
    const { value, depth } = entry;
    if (typeof value === 'string') {
      const fault = textFault(value);
      if (fault) {
        const path = pathOf(entry);
        errors.push({ field: path || 'body', message: `${path || 'the body'} ${fault}` });
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      const path = pathOf(entry);
      errors.push({ field: path, message: `${path} is nested more than ${MAX_INPUT_DEPTH} levels deep` });
      continue;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const fault = textFault(key);
      const inner: Pending = { value: (value as Record<string, unknown>)[key], key, parent: entry, depth: depth + 1 };
      if (fault) {
        const path = pathOf(inner);
        errors.push({ field: path, message: `the name of ${path} ${fault}` });
      } else pending.push(inner);
    }
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a text, if anything: the message's end, after the field's name. */
export function textFault(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (a lone surrogate is not)';
  return undefined;
}
