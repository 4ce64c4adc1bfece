import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

// Security headers: the ones @fastify/helmet set with our options, computed once at start-up and set by one
// synchronous hook (helmet rebuilt its middlewares and set each header in turn on every request). The API
// answers JSON, never pages, so nothing may load or frame it; Swagger UI at /docs gets a policy that lets
// its own scripts and styles run.

type Directives = Record<string, string[]>;

// The API answers JSON, never pages: nothing may load or frame it.
export const API_CSP: Directives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

// Swagger UI (/docs): its scripts and styles come from /docs itself (the policy @fastify/swagger-ui
// recommends, without upgrade-insecure-requests, which would break a local http instance).
export const DOCS_CSP: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'https:', 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:', 'validator.swagger.io'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", 'https:'],
};

/** A Content-Security-Policy header value, written as helmet writes it. */
export function cspHeader(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join(';');
}

/** Helmet's defaults, except the resource policy: open data, other sites may embed and fetch it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': cspHeader(API_CSP),
  'cross-origin-opener-policy': 'same-origin',
  // Open data: other sites may embed and fetch it (CORS decides what scripts may read).
  'cross-origin-resource-policy': 'cross-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const NAMES = Object.keys(SECURITY_HEADERS);
const VALUES = Object.values(SECURITY_HEADERS);
const DOCS_POLICY = cspHeader(DOCS_CSP);

function setSecurityHeaders(_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  for (let i = 0; i < NAMES.length; i++) reply.header(NAMES[i]!, VALUES[i]);
  done();
}

function setDocsPolicy(_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.header('content-security-policy', DOCS_POLICY);
  done();
}

export const securityHeaders = fp(
  async (app) => {
    // Every response, the not-found handler's included.
    app.addHook('onRequest', setSecurityHeaders);
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.url === '/docs' || route.url.startsWith('/docs/')) {
        route.onRequest = [...[route.onRequest ?? []].flat(), setDocsPolicy] as RouteOptions['onRequest'];
      }
    });
  },
  { name: 'security-headers' },
);
