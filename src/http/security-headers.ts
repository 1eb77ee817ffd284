import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers on every answer (nosniff, no framing, no referrer, HSTS, no X-Powered-By…),
 * with a Content-Security-Policy that lets the API's own HTML pages (audit timeline, personal-data
 * export: inline styles and SVG, no script) render and nothing else run: an injected `<script>` in
 * a page or in a JSON answer opened in a browser stays inert.
 */
const API: HelmetOptions = {
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
const DOCS: HelmetOptions = {
  ...API,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
};

/**
 * The web pages (/web/): the DSFR's stylesheets, fonts, icons and script from this origin, nothing
 * inline (no 'unsafe-inline': our markup has no style attribute; charts are SVG images served by
 * their own route), forms posting to this origin only.
 */
function webPolicy(formTargets: readonly string[]): HelmetOptions {
  return {
  ...API,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      // The sign-out form's answer redirects to the identity provider's end-session endpoint:
      // browsers hold form redirects to form-action too, so the provider's origin is named.
      'form-action': ["'self'", ...formTargets],
      'frame-ancestors': ["'none'"],
    },
  },
  };
}

/**
 * A chart (SVG drawn by ECharts on the server, shown through <img>): its own style attributes
 * apply inside the image, which runs no script whatever it holds.
 */
const WEB_IMAGE: HelmetOptions = {
  ...API,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'none'"],
      'style-src': ["'unsafe-inline'"],
      'frame-ancestors': ["'self'"],
    },
  },
};

/**
 * Helmet decides the headers; they are computed once per policy and set on each answer through
 * Fastify's reply, which writes them with the status line. Not @fastify/helmet, which builds
 * helmet's middleware anew for every request (its options parsed, its CSP string assembled), nor
 * helmet's middleware per request, which validates and sets each header on the raw response one
 * by one: bench:api felt both. The policies hold no per-request part (no nonce), so the headers
 * computed once are the ones helmet would set on every answer. A handler that takes the raw
 * response over (the feed's event stream) writes `reply.getHeaders()` with its own.
 */
export function securityHeaders(fastify: FastifyInstance, webFormTargets: readonly string[] = []): void {
  const api = headersOf(API);
  const docs = headersOf(DOCS);
  const web = headersOf(webPolicy(webFormTargets));
  const webImage = headersOf(WEB_IMAGE);
  fastify.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    const forDocs = url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
    const forWeb = url === '/web' || url.startsWith('/web/') || url.startsWith('/web?');
    reply.headers(forDocs ? docs : forWeb ? (/^\/web\/[^?]*\.svg(\?|$)/.test(url) ? webImage : web) : api);
    done();
  });
}

/** The headers helmet sets with these options, asked of helmet itself on a response that records them. */
function headersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let called = false;
  helmet(options)({} as never, recorder as never, () => {
    called = true;
  });
  // Helmet's middleware is synchronous: a future version that is not would leave this empty.
  if (!called || Object.keys(headers).length === 0) throw new Error('helmet did not set its headers synchronously');
  return headers;
}
