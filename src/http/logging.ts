import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';
import { correlationIdFor } from './correlation.js';

/**
 * Structured JSON logs with a correlation id per request. Nothing personal goes in: only method,
 * route path (ids are uuids), status and timings; query strings, headers and bodies are left out.
 */
export function loggingParams(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    // nestjs-pino's default route object ('{/*splat}' for every method) matches nothing on Nest 12's
    // Fastify adapter; the plain wildcard string does.
    forRoutes: ['{*splat}'],
    pinoHttp: {
      level: config.logLevel,
      // Fastify already chose the id (see app.factory.ts); pino-http keeps an id it finds on the request.
      genReqId: (req) => (req as { id?: string }).id ?? correlationIdFor(req),
      // On every line logged while serving the request, the request's and the app's own.
      customProps: (req) => ({ correlationId: (req as { id?: unknown }).id }),
      serializers: {
        req: (req: IncomingMessage & { method?: string; url?: string }) => ({ method: req.method, path: pathOnly(req.url) }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      // Health probes every few seconds would drown everything else.
      autoLogging: { ignore: (req) => pathOnly(req.url).startsWith('/health') },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    },
  };
}

function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
