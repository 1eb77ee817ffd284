import { types } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { AppConfig } from '../config/app-config.js';

/**
 * Structured JSON logs (pino), one line per request with its correlation id, and the service's own
 * messages on the same stream. Nothing personal goes in: method, route path (ids are uuids),
 * status and timing; never query strings, headers or bodies.
 *
 * Requests are logged by Fastify's own logger rather than a Nest middleware: measured by
 * bench:api, the middleware layer cost a fifth of the read throughput.
 */
export function createLogger(config: Pick<AppConfig, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'spie-parcours' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Belt and braces: should anything log a request or a header, these never reach the output.
    redact: { paths: ['req.headers', 'headers.authorization', 'authorization', 'identity', '*.identity'], censor: '[redacted]' },
    // Instead of pino's own, which copies every property of an error (a driver's query, parameters
    // and detail; a client error's raw packet). An `err` already made loggable passes as it is.
    serializers: { err: (value: unknown) => (isError(value) ? loggableError(value, { withMessage: true }) : value) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Where the log lines go: as they are (JSON lines, one per entry, for a collector) unless `sink` is
 * a terminal, where a person reads them — then one coloured line each (time, level, message, the
 * fields below it), formatted synchronously before the write, so that the order of the lines and a
 * flush before exit hold as they do for JSON. The redaction and the error serializer ran before:
 * nothing shows here that the JSON would not carry.
 */
export function readableOnTerminal(sink: pino.DestinationStream, isTerminal = process.stdout.isTTY === true): pino.DestinationStream {
  if (!isTerminal) return sink;
  const prettify = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: false });
  return { write: (line: string) => sink.write(prettify(line)) };
}

/**
 * One line per answered request, written when the answer is known (the probes excepted, they would
 * drown everything else); the correlation id is on every line Fastify writes for the request.
 */
export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'correlationId' });
  }

  override incomingRequest(): void {
    // The completion line says everything; a line on arrival would double the volume.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (pathOnly(request.url).startsWith('/health')) return;
    const level = error || reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    // The route's template, not the path: a path is what the caller typed, and a refused one may
    // hold anything (a name pasted where an id goes). The correlation id leads to the rest.
    const route = request.routeOptions.url ?? null;
    request.log[level]({ request: { method: request.method, route }, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) }, 'request completed');
  }
}

/**
 * Nest's own messages (start-up, schedulers, errors) on the same pino stream. An error passed here,
 * alone or as a property of a structured line, goes through `loggableError`: its message says what
 * failed at start-up (a refused connection, a missing master key), but a database error's message
 * and details, which quote values, never reach the log.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest calls `(message, context)` or `(message, stack, context)`; a structured line is written
   * here as `(object, text, context)`. A stack given as text is dropped: the first line of a
   * stack is the error's message, which may quote values.
   */
  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const text = params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
    if (isError(message)) {
      const err = loggableError(message, { withMessage: true });
      this.logger[level]({ context, err }, text ?? summaryOf(err));
    } else if (typeof message === 'object' && message !== null) {
      const fields = Object.fromEntries(
        Object.entries(message).map(([key, value]) => [key, isError(value) ? loggableError(value, { withMessage: true }) : value]),
      );
      this.logger[level]({ context, ...fields }, text);
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}

/** An error as it may be logged: nothing in it comes from a request or from the database's data. */
export interface LoggedError {
  type: string;
  /** SQLSTATE of a database error, or a system error's code (ECONNREFUSED, ENOENT…). */
  code?: string;
  /** Of a database error: its severity and the server routine that raised it (auth_failed…), never its text. */
  severity?: string;
  routine?: string;
  message?: string;
  /** Stack frames only: the first line of a stack repeats the message. */
  stack?: string;
  cause?: LoggedError;
  errors?: LoggedError[];
}

/**
 * What of an error may be logged: its class, its code, its stack frames, and — only with
 * `withMessage`, and never for a database error — its message. A driver error's message quotes
 * values (`invalid input syntax for type date: "…"`), and its `detail`, `query`, `params`,
 * `where`, `hint` hold the row and the statement: none of them is ever copied. A request's error
 * is logged without any message (`toProblem`): our own messages quote the input too.
 */
export function loggableError(error: unknown, options: { withMessage?: boolean } = {}, depth = 0): LoggedError {
  if (!isError(error)) return { type: typeof error };
  const database = isDatabaseError(error);
  const code = (error as { code?: unknown }).code;
  // PGlite's bundled error class has a minified name; pg's is DatabaseError: one name for both.
  const constructorName = error.constructor?.name;
  const logged: LoggedError = { type: database ? 'DatabaseError' : constructorName && constructorName !== 'Object' ? constructorName : error.name || 'Error' };
  if (typeof code === 'string' || typeof code === 'number') logged.code = String(code);
  if (database) {
    const { severity, routine } = error as { severity?: unknown; routine?: unknown };
    if (typeof severity === 'string') logged.severity = severity;
    if (typeof routine === 'string') logged.routine = routine;
  } else if (options.withMessage && error.message) {
    logged.message = error.message;
  }
  const frames = framesOf(error.stack);
  if (frames) logged.stack = frames;
  if (depth < 3) {
    if (error.cause !== undefined) logged.cause = loggableError(error.cause, options, depth + 1);
    const inner = (error as { errors?: unknown }).errors;
    if (Array.isArray(inner)) logged.errors = inner.slice(0, 5).map((each) => loggableError(each, options, depth + 1));
  }
  return logged;
}

/**
 * An error from PostgreSQL (pg) or PGlite: it carries a SQLSTATE (five characters) and a severity.
 * Connection failures are Node's system errors (ECONNREFUSED…), whose messages hold a host and a
 * port, not data.
 */
export function isDatabaseError(error: Error): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/** Errors made in another realm (Node's own, seen from a VM context such as Jest's) fail `instanceof Error`. */
function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function framesOf(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.join('\n') : undefined;
}

/** The text of a line about an error: what it is and, when it may be said, what it says. */
function summaryOf(error: LoggedError): string {
  const what = error.code ? `${error.type} ${error.code}` : error.type;
  const inner = error.errors?.map((inner) => inner.message ?? inner.code).filter(Boolean).join('; ');
  const said = error.message || inner || (error.routine ? `raised by ${error.routine}` : undefined);
  return said ? `${what}: ${said}` : what;
}

function pathOnly(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
