import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { databaseTrouble } from '../database/database-availability.js';
import { ConcurrencyError, EventIdConflictError, InvalidAppendError, InvalidCursorError } from '../event-store/event-store.js';
import { correlationIdOf } from './correlation.js';
import { loggableError } from './logging.js';

/** RFC 9457 problem details, with our stable `code` and the request's correlation id. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  correlationId: string;
  /** For 400: each invalid field (dotted path) and what is wrong with it. */
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:spie-parcours:problem:${code}`;
}

/**
 * An error with an HTTP meaning and a stable code (DESIGN §9.7). Domain errors stay free of HTTP;
 * the filter below maps them, and the HTTP edge throws these directly.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

/**
 * Flattens class-validator errors into `a.b.c: message` entries, one per invalid field: the
 * validator reports every constraint a value breaks (a missing name "must be a string" and "must
 * be longer than…"), which says less than one sentence naming the fault.
 */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const messages = Object.entries(error.constraints ?? {});
    const own = messages.length ? [{ field, message: faultOf(field, error, messages) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** The constraints that say a value is of the wrong type: the others then say nothing more. */
const TYPE_CONSTRAINTS = new Set(['isString', 'isBoolean', 'isInt', 'isNumber', 'isArray', 'isObject', 'nestedValidation']);

function faultOf(field: string, error: ValidationError, messages: Array<[string, string]>): string {
  // Leaf errors keep the value they were given (ValidationPipe strips it from parents only).
  if ('value' in error && error.value === undefined) return `${field} is required`;
  if ('value' in error && error.value === null) return `${field} must not be null`;
  const typed = messages.find(([name]) => TYPE_CONSTRAINTS.has(name));
  return typed ? typed[1] : messages.map(([, message]) => message).join('; ');
}

export function validationProblem(errors: readonly ValidationError[]): ProblemError {
  const list = fieldErrors(errors);
  return new ProblemError(400, 'validation_failed', 'The request is invalid', `${list.length} invalid field(s)`, { errors: list });
}

interface Mapped {
  status: number;
  code: string;
  title: string;
  detail?: string;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Rule errors are 422 by default; these codes mean something else over HTTP. */
const RULE_STATUS: Record<string, number> = {
  partner_already_registered: 409,
  member_already_exists: 409,
  api_key_id_already_used: 409,
  // Allowed to manage the organisation, not to change what its people reach.
  field_reserved_to_platform_admin: 403,
};

/**
 * What the features' errors say of themselves: a stable `code`, and for the two rule families
 * (`ParcoursRuleError`, `PartnerRuleError`) which one. The edge maps these; it imports no feature.
 */
interface CodedError {
  code: string;
  message: string;
  rule?: 'parcours' | 'partner';
  reason?: string;
}

function codedError(error: unknown): CodedError | undefined {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'string') return undefined;
  return error as Error & CodedError;
}

function mapCoded(error: CodedError): Mapped | undefined {
  if (error.rule === 'parcours') {
    const status = error.code === 'id_already_used' || /_already_/.test(error.code) ? 409 : 422;
    return { status, code: error.code, title: 'The request breaks a rule of the parcours', detail: error.message };
  }
  if (error.rule === 'partner') {
    const status = RULE_STATUS[error.code] ?? (error.code.endsWith('_not_found') ? 404 : 422);
    const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'The request breaks a rule';
    return { status, code: error.code, title, detail: error.message };
  }
  switch (error.code) {
    case 'invalid_token':
    case 'invalid_api_key':
      return {
        status: 401,
        code: error.code,
        title: 'Authentication failed',
        detail: error.reason,
        headers: { 'www-authenticate': `${error.code === 'invalid_token' ? 'Bearer' : 'ApiKey'} error="invalid_token"` },
      };
    case 'identity_provider_unavailable':
      return { status: 503, code: error.code, title: 'The identity provider cannot be reached', headers: { 'retry-after': '30' } };
    case 'not_a_member':
      return { status: 403, code: error.code, title: 'Not allowed', detail: error.message };
    case 'parcours_not_found':
      return { status: 404, code: 'not_found', title: 'Not found', detail: 'no such parcours' };
    case 'personal_data_erased':
      // Met when encrypting new personal data (a note) for an erased parcours, before the decider would say the same.
      return { status: 422, code: error.code, title: 'The request breaks a rule of the parcours', detail: 'the personal data of this parcours were erased: nothing more can be recorded' };
    default:
      return undefined;
  }
}

export function mapError(error: unknown, request?: { headers: Record<string, unknown> }): Mapped | undefined {
  if (error instanceof ProblemError) {
    const retryAfter = error.extensions['retryAfterSeconds'];
    return {
      status: error.status,
      code: error.code,
      title: error.title,
      detail: error.detail,
      extensions: error.extensions,
      headers: typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : undefined,
    };
  }
  if (error instanceof ConcurrencyError) {
    const conditional = request?.headers['if-match'] !== undefined;
    return {
      status: conditional ? HttpStatus.PRECONDITION_FAILED : HttpStatus.CONFLICT,
      code: conditional ? 'precondition_failed' : error.code,
      title: conditional ? 'The resource changed since the version given in If-Match' : 'The resource was changed concurrently',
      detail: `current version is ${error.actualVersion}`,
      extensions: { currentVersion: error.actualVersion },
    };
  }
  const coded = codedError(error);
  if (coded) {
    const mapped = mapCoded(coded);
    if (mapped) return mapped;
  }
  if (error instanceof EventIdConflictError) {
    return { status: 409, code: error.code, title: 'This request conflicts with an earlier one' };
  }
  if (error instanceof InvalidCursorError || error instanceof InvalidAppendError) {
    return { status: 400, code: error.code, title: 'The request is invalid', detail: error.message };
  }
  const trouble = databaseTrouble(error);
  if (trouble === 'busy') {
    return { status: 503, code: 'database_busy', title: 'The database is busy (a lock or statement timeout); retry shortly', headers: { 'retry-after': '2' } };
  }
  if (trouble === 'unavailable') {
    return { status: 503, code: 'database_unavailable', title: 'The database cannot be reached; retry later', headers: { 'retry-after': '10' } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : response;
    // A failed readiness check keeps the checks' results, which is what a probe's operator reads.
    const checks = typeof response === 'object' && response !== null && 'details' in response ? { checks: response } : undefined;
    return {
      status,
      code: (HttpStatus[status] ?? `http_${status}`).toLowerCase(),
      title: error.message,
      detail: typeof message === 'string' && message !== error.message ? message : undefined,
      extensions: checks,
    };
  }
  return undefined;
}

export function toProblem(
  error: unknown,
  request: FastifyRequest | undefined,
  logger: Logger,
): { problem: ProblemDetails; headers: Record<string, string> } {
  const correlationId = request ? correlationIdOf(request) : 'none';
  const mapped = mapError(error, request);
  if (!mapped) {
    // The class, the SQLSTATE and the stack frames: never a message, a query or its parameters,
    // which quote the request's data (see loggableError).
    logger.error({ err: loggableError(error), correlationId }, 'unhandled error');
    return {
      problem: {
        type: problemType('internal_error'),
        title: 'Internal error',
        status: 500,
        detail: 'An unexpected error occurred; quote the correlation id to the support team.',
        code: 'internal_error',
        correlationId,
      },
      headers: {},
    };
  }
  return {
    problem: {
      type: problemType(mapped.code),
      title: mapped.title,
      status: mapped.status,
      ...(mapped.detail ? { detail: mapped.detail } : {}),
      code: mapped.code,
      correlationId,
      ...mapped.extensions,
    },
    headers: mapped.headers ?? {},
  };
}

/** A problem for what Fastify refuses before a route is found; anything else stays an internal error. */
export function frameworkProblem(error: Error & { statusCode?: number }): unknown {
  if (error.statusCode === 414) return new ProblemError(414, 'uri_too_long', 'A segment of the path is too long');
  if (error.statusCode === 400) return new ProblemError(400, 'invalid_url', 'The URL is not valid', 'a path segment is not valid percent-encoded UTF-8');
  return error;
}

export function sendProblem(reply: FastifyReply, { problem, headers }: { problem: ProblemDetails; headers: Record<string, string> }): void {
  void reply.headers(headers).status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(), toProblem(error, http.getRequest<FastifyRequest>(), this.logger));
  }
}
