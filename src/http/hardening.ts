import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { ResolvedConfig } from '../config.js';
import { answerClientError } from './client-errors.js';
import { isExportRequest } from './formats.js';
import { boundMessages, boundText, errorForLog } from './log-bounds.js';
import { HttpProblem } from './problem.js';
import { PROBE_PATHS } from './probes.js';
import { OneLinePerRequest } from './request-log.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

// Abuse limits and hardening, all configurable (src/config.ts):
// - server options: body size limit (413), request and idle-connection timeouts, TRUST_PROXY, and logs that
//   never contain an API key;
// - security headers (security-headers.ts): a strict CSP for the API and one that keeps Swagger UI working;
// - load shedding (under-pressure): 503 with Retry-After when the event loop or memory is saturated;
// - rate limits: per API key when the request carries a valid one, else per client address; exports
//   (CSV, NDJSON) have their own, lower, limit; 429 with Retry-After and RateLimit-* headers.

const API_KEY_IN_TEXT = /uprk_[0-9a-f]{12}_[A-Za-z0-9_-]+/g;

// A percent-escape of a character keys are made of (unreserved in URLs, so escaping it changes nothing).
const ESCAPED_KEY_CHARACTER = /%(2d|3[0-9]|4[1-9a-f]|5[0-9a]|5f|6[1-9a-f]|7[0-9a])/gi;

/**
 * Removes anything shaped like an API key from text that is logged (a key pasted into a URL, say), also
 * when some of its characters are percent-encoded (which are first decoded).
 */
export function scrubKeys(text: string): string {
  return text
    .replace(ESCAPED_KEY_CHARACTER, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(API_KEY_IN_TEXT, '[redacted]');
}

/**
 * Node's own request timeouts, given to its server when it is made: Fastify sets requestTimeout on the server after,
 * and Node 20 then never timed out a body sent a byte at a time (REQUEST_TIMEOUT_MS=4000: still open after 71 s).
 * Node checks every connectionsCheckingInterval (30 s by default): here a tenth of the timeout, a second at least,
 * so a slow request gets its 408 within REQUEST_TIMEOUT_MS and a tenth. Headers have 60 s at most, as before
 * (REQUEST_TIMEOUT_MS=0 turns the request's timeout off, not theirs).
 */
export function requestTimeouts(requestTimeoutMs: number) {
  if (requestTimeoutMs === 0) return { requestTimeout: 0, headersTimeout: 60_000 };
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(1_000, Math.round(requestTimeoutMs / 10))),
  };
}

/** Fastify's server options for the limits and the logger. */
export function serverOptions(config: ResolvedConfig): FastifyHttpOptions<Server> {
  return {
    logger: {
      level: config.logLevel,
      // Headers are not logged, but should anything log them, the key is replaced.
      redact: {
        paths: ['req.headers.authorization', 'request.headers.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
      // What a request can put in a line is bounded (src/http/log-bounds.ts): its URL and Host, an error, a message.
      serializers: {
        // Fastify's request serializer, with keys scrubbed from the URL (and robust to other objects logged as req).
        // Scrubbed before it is cut: a key cut in two would no longer look like one.
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: typeof request.url === 'string' ? boundText(scrubKeys(request.url)) : undefined,
          host: typeof request.host === 'string' ? boundText(request.host) : undefined,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
        err: errorForLog,
      },
      hooks: { logMethod: boundMessages },
      ...(config.logStream ? { stream: config.logStream } : {}),
    },
    logController: new OneLinePerRequest(),
    // A client's X-Request-Id when it is a plain token, else a UUID (src/http/request-id.ts).
    genReqId: requestId,
    bodyLimit: config.bodyLimitBytes,
    // A hop count is valid at run time (proxy-addr), though Fastify's types leave it out.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    // What the HTTP parser refuses (an overlong head, bytes that are not HTTP, a timeout) is a problem too.
    clientErrorHandler: answerClientError,
    // A request without a Host header is refused by a hook, with a problem (src/http/client-errors.ts), not by Node.
    http: { requireHostHeader: false, ...requestTimeouts(config.requestTimeoutMs) },
  };
}



/** Routes load shedding never answers 503: liveness (a restart would not help). Readiness sheds, so traffic goes elsewhere. */
export const UNSHED_PATHS: ReadonlySet<string> = new Set(['/healthz']);

/**
 * Sheds the requests read while the event loop has been blocked longer than MAX_EVENT_LOOP_DELAY_MS.
 * under-pressure measures the loop's delay with a timer, which cannot run while the requests read in one turn
 * of the loop are answered one after another: 50 uncached stats of 300 ms each, sent at once, were all
 * answered 200, one after another for 15 s, and /healthz waited 27 s. How late this timer is says it at once.
 */
function shedBlockedTurns(app: FastifyInstance, config: ResolvedConfig, retryAfter: number): void {
  const interval = config.pressureSampleIntervalMs;
  let tick = performance.now();
  const timer = setInterval(() => (tick = performance.now()), interval).unref();
  app.addHook('onClose', (_app, done) => {
    clearInterval(timer);
    done();
  });
  app.addHook('onRequest', (request, _reply, done) => {
    const blocked = performance.now() - tick - interval;
    if (blocked <= config.maxEventLoopDelayMs || UNSHED_PATHS.has(request.routeOptions.url!)) return done();
    done(
      new HttpProblem(
        503,
        `The service is overloaded (eventLoopDelay: blocked for ${Math.round(blocked)} ms); retry in ${retryAfter} seconds.`,
        undefined,
        { 'retry-after': String(retryAfter) },
      ),
    );
  });
}

export const hardening = fp<ResolvedConfig>(
  async (app, config) => {
    await app.register(securityHeaders);

    const retryAfter = config.pressureRetryAfterSeconds;
    await app.register(underPressure, {
      maxEventLoopDelay: config.maxEventLoopDelayMs,
      maxEventLoopUtilization: config.maxEventLoopUtilization,
      eventLoopUtilizationMode: 'interval',
      maxHeapUsedBytes: config.maxHeapUsedBytes,
      maxRssBytes: config.maxRssBytes,
      sampleInterval: config.pressureSampleIntervalMs,
      retryAfter,
      pressureHandler: async (request, _reply, type) => {
        if (UNSHED_PATHS.has(request.routeOptions.url!)) return;
        throw new HttpProblem(
          503,
          `The service is overloaded (${type}); retry in ${retryAfter} seconds.`,
          undefined,
          { 'retry-after': String(retryAfter) },
        );
      },
    });

    if (config.maxEventLoopDelayMs > 0) shedBlockedTurns(app, config, retryAfter);

    // Probes opt out of the limiter route by route (this hook runs before the limiter's own onRoute hook, which
    // then adds nothing to them): an allowList function instead cost every other request a call, awaited, that
    // read request.routeOptions (an object built on each read): 2-3 % of a cached list's CPU.
    app.addHook('onRoute', (route) => {
      if (PROBE_PATHS.has(route.url)) route.config = { ...route.config, rateLimit: false };
    });
    const seconds = Math.ceil(config.rateLimitWindowMs / 1000);
    await app.register(rateLimit, {
      global: true,
      enableDraftSpec: true, // RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, and Retry-After on 429
      timeWindow: config.rateLimitWindowMs,
      keyGenerator: (request) => {
        const who = request.auth?.status === 'ok' ? `key:${request.auth.key.id}` : `ip:${normalizeIP(request.ip)}`;
        return isExportRequest(request) ? `export ${who}` : who;
      },
      max: (_request, key) =>
        key.startsWith('export ')
          ? config.rateLimitExportMax
          : key.startsWith('key:')
            ? config.rateLimitKeyMax
            : config.rateLimitMax,
      errorResponseBuilder: (request, context) => {
        const what = isExportRequest(request) ? 'exports' : 'requests';
        return new HttpProblem(
          429,
          `Too many ${what}: at most ${context.max} per ${seconds} seconds. Retry in ${context.after}.`,
        );
      },
    });
  },
  { name: 'upr-hardening' },
);
