import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The DSFR's built files, served from this origin (no CDN: the CSP allows 'self' only). */
const DSFR_DIST = join(dirname(createRequire(import.meta.url).resolve('@gouvfr/dsfr/package.json')), 'dist');
/** Our own stylesheet (web.css), beside this file in the sources and copied next to the build. */
const OWN_ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');

/**
 * What the pages need from Fastify, registered before the routes: cookies, CSRF tokens (their
 * secret kept in the server-side session: '@fastify/session' mode, fed by WebGuard), the DSFR's
 * files. Form bodies are parsed by Nest's Fastify adapter already (@fastify/formbody).
 */
export async function registerWebPlugins(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await app.register(fastifyStatic, { root: DSFR_DIST, prefix: '/web/dsfr/', decorateReply: false, maxAge: '1d', index: false });
  await app.register(fastifyStatic, { root: OWN_ASSETS, prefix: '/web/assets/', decorateReply: false, maxAge: '1h', index: false });
}
