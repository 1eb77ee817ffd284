import type { LoggerService } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
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
  };
  return destination ? pino(options, destination) : pino(options);
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
    const path = pathOnly(request.url);
    if (path.startsWith('/health')) return;
    const level = error || reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    request.log[level]({ request: { method: request.method, path }, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) }, 'request completed');
  }
}

/** Nest's own messages (start-up, errors) on the same pino stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext);
  }

  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context: string | undefined): void {
    if (!this.logger.isLevelEnabled(level)) return;
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context }, String(message));
  }
}

function pathOnly(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
