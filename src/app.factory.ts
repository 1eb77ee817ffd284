import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppOptions } from './app.module.js';
import { buildOpenApiDocument } from './openapi.js';
import type { AppConfig } from './config/app-config.js';
import { CORRELATION_HEADER, correlationIdFor } from './http/correlation.js';
import { PinoNestLogger, RequestLog, createLogger } from './http/logging.js';
import { ProblemDetailsFilter, frameworkProblem, sendProblem, toProblem, validationProblem } from './http/problem.js';
import { AddressRateLimits } from './http/rate-limits.js';
import { securityHeaders } from './http/security-headers.js';
import { registerWellFormedInput } from './http/well-formed-input.js';
import { registerWebPlugins } from './web/web-plugins.js';

const frameworkLogger = new Logger('ProblemDetails');

const WORKER_ROUTES = /^\/(health(\/ready)?|metrics)\/?(\?|$)/;

/**
 * A worker answers its probes and its metrics, nothing else: the API is the api processes'
 * (a load balancer pointed at a worker by mistake gets 404s, not a second way in).
 */
function workerAnswersProbesOnly(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (WORKER_ROUTES.test(request.url)) return done();
    const problem = { type: 'about:blank', title: 'Not found', status: 404, code: 'not_found', detail: 'this is a worker process (PROCESS_ROLE=worker): it serves /health, /health/ready and /metrics only', correlationId: request.id };
    sendProblem(reply, { problem, headers: {} });
  });
}

/** Builds the HTTP application (used by main, the tests and the benchmarks). */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const logger = createLogger(config, options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Fastify takes a hop count too; Nest's option type forgot it.
    trustProxy: config.trustProxy as boolean | string[],
    genReqId: correlationIdFor,
    loggerInstance: logger,
    logController: new RequestLog(),
    // What Fastify refuses before routing (a path that is not percent-encoded UTF-8, a path
    // parameter over its length) is answered as problem details too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, toProblem(frameworkProblem(error), request, frameworkLogger)),
  });
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, request.id);
  });
  if (config.processRole === 'worker') workerAnswersProbesOnly(adapter.getInstance());
  registerWellFormedInput(adapter.getInstance());
  // The CAF/MSA monthly file (POST /v1/intake/imports): raw bytes, its own size limit.
  adapter.getInstance().addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: config.intakeMaxFileBytes }, (_request, body, done) => done(null, body));
  // abortOnError: a failed start is thrown to the caller (main says why and exits 1) rather than
  // ending the process with abort() and a core dump.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, { logger: new PinoNestLogger(logger), abortOnError: false });
  // Headers first, so that every answer carries them (the limits' 429 included); then the limits,
  // before authentication and before any body is read.
  securityHeaders(adapter.getInstance(), config.webOidcIssuerUrl ? [new URL(config.webOidcIssuerUrl).origin] : []);
  if (config.processRole !== 'worker') await registerWebPlugins(app);
  app.get(AddressRateLimits).install(adapter.getInstance());
  app.enableShutdownHooks();
  app.useGlobalFilters(new ProblemDetailsFilter());
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationProblem,
    }),
  );
  return app;
}
