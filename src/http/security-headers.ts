import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Helmet's headers on every answer (nosniff, no framing, no referrer, HSTS, no X-Powered-By…),
 * with a Content-Security-Policy that lets the API's own HTML pages (audit timeline, personal-data
 * export: inline styles and SVG, no script) render and nothing else run: an injected `<script>` in
 * a page or in a JSON answer opened in a browser stays inert.
 */
export const SECURITY_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'none'"],
      'style-src': ["'unsafe-inline'"],
      'img-src': ['data:'],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
};

/** Swagger UI (/docs) loads its own scripts, styles and images from this origin, and calls the API. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** After helmet's own hook: the documentation pages get their wider policy. */
export function allowSwaggerUi(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url === '/docs' || request.url.startsWith('/docs/') || request.url.startsWith('/docs?')) {
      reply.raw.setHeader('content-security-policy', DOCS_CSP);
    }
    done();
  });
}
