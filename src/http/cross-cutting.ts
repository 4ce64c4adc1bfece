import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { COMPRESS_THRESHOLD, etagPerEncoding, registerQueryCache, RESPONSE_CACHE_BYTES } from './cache.js';
import { answerOptionsRoute } from './options.js';

// Cross-cutting HTTP behaviour: CORS for browser dashboards, query ETags and the response cache, and
// gzip/brotli compression of JSON, CSV and NDJSON (streamed exports are compressed as they stream).

export interface CrossCuttingOptions {
  /** Bytes of serialized JSON the response cache may hold (default RESPONSE_CACHE_BYTES, 32 MiB). */
  responseCacheBytes?: number;
}

/** Headers a browser script may read from a cross-origin response. */
export const EXPOSED_HEADERS = [
  'Link',
  'ETag',
  'Content-Disposition',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

export const COMPRESSIBLE = /^(?:application\/(?:json|x-ndjson|problem\+json)|text\/csv)(?:;|$)/;

const crossCutting = fp<CrossCuttingOptions>(
  async (app: FastifyInstance, options) => {
    app.addHook('onRoute', answerOptionsRoute);
    await app.register(cors, {
      // Preflights go on to the OPTIONS route (src/http/options.ts), which answers them after every hook.
      strictPreflight: false,
      preflightContinue: true,
      origin: '*',
      methods: ['GET', 'HEAD', 'OPTIONS'],
      credentials: false,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 86_400,
    });
    registerQueryCache(app, app.db, options.responseCacheBytes ?? RESPONSE_CACHE_BYTES);
    await app.register(compress, {
      global: true,
      encodings: ['br', 'gzip'],
      customTypes: COMPRESSIBLE,
      threshold: COMPRESS_THRESHOLD,
    });
    // After compress's own onRoute hook, so that it sees the Content-Encoding compress sets.
    app.addHook('onRoute', etagPerEncoding);
  },
  { name: 'cross-cutting' },
);

export default crossCutting;
