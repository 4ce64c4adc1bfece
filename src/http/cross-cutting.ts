import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { COMPRESS_THRESHOLD, etagPerEncoding, registerQueryCache, RESPONSE_CACHE_BYTES } from './cache.js';
import { headAsGet } from './head-as-get.js';
import { acceptJsonOnly, documentNotAcceptable } from './json-only.js';
import type { MethodsAt } from './methods.js';
import { answerOptionsRoute } from './options.js';
import { namePlugins } from './plugin-name.js';
import { documentReadPrecondition, ifMatchWithoutValidator } from './read-preconditions.js';

// Cross-cutting HTTP behaviour: CORS for browser dashboards, query ETags and the response cache, and
// gzip/brotli compression of JSON, CSV and NDJSON (streamed exports are compressed as they stream).

export interface CrossCuttingOptions {
  /** The methods served at a path (from registerProblemHandlers): what an OPTIONS request's Allow lists. */
  methodsAt: MethodsAt;
  /** Bytes of serialized JSON the response cache may hold (default RESPONSE_CACHE_BYTES, 32 MiB). */
  responseCacheBytes?: number;
}

/** Headers a browser script may read from a cross-origin response. */
export const EXPOSED_HEADERS = [
  'Link',
  'ETag',
  'Content-Disposition',
  'Retry-After',
  // A 405's (a GET or a POST of text/plain meets one without a preflight): the methods the path does take.
  'Allow',
  'RateLimit',
  'RateLimit-Policy',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'X-Request-Id',
];

export const COMPRESSIBLE = /^(?:application\/(?:json|x-ndjson|problem\+json)|text\/csv)(?:;|$)/;

const EXPOSED = EXPOSED_HEADERS.join(', ');

/**
 * CORS headers of an actual request, the same on every response (any origin, no credentials): set at once.
 * Always, not only when the request has an Origin: a shared cache may serve the response to a browser.
 */
function allowAnyOrigin(_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', EXPOSED);
  done();
}

/**
 * `Cache-Control: no-cache` on a response that set none (a history, the change feed, /healthz, a write's
 * answer): without one, a shared cache may store it for a time of its own choosing (RFC 9111 §4.2.2; Varnish's
 * default is 120 s), and it served a record's history without the write just made. Lists, records and
 * exports set theirs (`public, max-age=60`), problems theirs (`no-store`), static files theirs.
 */
function noCacheUnlessSet(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-cache');
  done(null, payload);
}

/**
 * `Vary: accept-encoding` on every response of a type compression codes, coded or not: @fastify/compress says it
 * only when it codes, so a history, the change feed or /openapi.json sent plain said nothing of the header that
 * chose it, and a shared cache could hand that copy to a client asking for gzip, or the gzip one to a client
 * that reads none (RFC 9110 §12.5.5). Lists and records set theirs (their 304s must say it too); lower case, as
 * compression then adds none of its own. Whatever sets a Vary here names accept-encoding in it.
 */
function varyOnCoding(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  const type = reply.getHeader('content-type');
  if (typeof type === 'string' && COMPRESSIBLE.test(type) && !reply.hasHeader('vary')) reply.header('vary', 'accept-encoding');
  done(null, payload);
}

/** @fastify/cors in a scope of its own: its hook runs for preflights alone (below). */
async function corsPreflight(preflight: FastifyInstance): Promise<void> {
  await preflight.register(cors, {
    strictPreflight: false,
    preflightContinue: true,
    origin: '*',
    methods: ['GET', 'HEAD', 'OPTIONS'],
    credentials: false,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 86_400,
  });
}
namePlugins(corsPreflight);

const crossCutting = fp<CrossCuttingOptions>(
  async (app: FastifyInstance, options) => {
    // @fastify/cors handles preflights (its OPTIONS route); registered in a scope of its own, its per-request
    // hook (which looks up route options and copies its settings each time) runs for those alone. The OPTIONS
    // route's handler is ours (src/http/options.ts): it answers after every hook.
    app.addHook('onRoute', answerOptionsRoute(options.methodsAt));
    await app.register(corsPreflight);
    app.addHook('onRequest', allowAnyOrigin);
    app.addHook('onSend', noCacheUnlessSet);
    app.addHook('onSend', varyOnCoding);
    app.addHook('onSend', ifMatchWithoutValidator);
    app.addHook('onRoute', documentReadPrecondition);
    app.addHook('preValidation', acceptJsonOnly);
    app.addHook('onRoute', documentNotAcceptable);
    registerQueryCache(app, app.dataRevision, options.responseCacheBytes ?? RESPONSE_CACHE_BYTES);
    await app.register(compress, {
      global: true,
      encodings: ['br', 'gzip'],
      customTypes: COMPRESSIBLE,
      threshold: COMPRESS_THRESHOLD,
    });
    // After compress's own onRoute hook, so that it sees the Content-Encoding compress sets.
    app.addHook('onRoute', etagPerEncoding);
    app.addHook('onRoute', headAsGet);
  },
  { name: 'cross-cutting' },
);

export default crossCutting;
