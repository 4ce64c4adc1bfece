import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyScope } from '../db/schema.js';
import { HttpProblem, unauthorized } from '../http/problem.js';
import { type ApiKeyIdentity, type Authentication, authenticateHeader, scopeAllows } from './keys.js';

// Authentication: every request that sends `Authorization: Bearer <key>` is identified once, before rate
// limiting (which counts per key); routes that write demand a scope with requireScope. Reading needs no key,
// but a Bearer key that is not valid, revoked or malformed, is a 401 on every route (RFC 6750 §3.1), once the rate
// limiter has counted the request: a client whose key was revoked learns it at once instead of being counted,
// silently, as anonymous. Another scheme (`Basic`, from a proxy in front of the service) is ignored on reads.

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, as far as its Authorization header says; null before identification. */
    auth: Authentication | null;
  }
}

/** Reads a request's Authorization header against the backend's keys (src/db/backend.ts). */
export type Authenticate = (header: string | undefined) => Authentication | Promise<Authentication>;

export const authentication = fp<{ authenticate: Authenticate }>(
  async (app, { authenticate }) => {
    app.decorateRequest('auth', null);
    // Synchronous on SQLite (no promise per request), awaited on PostgreSQL.
    app.addHook('onRequest', (request, _reply, done) => {
      const auth = authenticate(request.headers.authorization);
      if (!(auth instanceof Promise)) {
        request.auth = auth;
        return done();
      }
      auth.then((found) => {
        request.auth = found;
        done();
      }, done);
    });
    // Appended to each route's own onRequest hooks, after @fastify/rate-limit's (src/http/hardening.ts,
    // registered before this plugin): a wrong key is counted like any other request.
    app.addHook('onRoute', (route) => {
      route.onRequest = [...[route.onRequest ?? []].flat(), refuseUnusableKey] as RouteOptions['onRequest'];
    });
  },
  { name: 'upr-authentication' },
);

const PROBLEMS: Record<Exclude<Authentication['status'], 'ok'>, () => HttpProblem> = {
  none: () => unauthorized('This operation needs an API key, sent as `Authorization: Bearer <key>`.'),
  malformed: () => unauthorized('Send the API key as `Authorization: Bearer <key>`.', 'invalid_token'),
  invalid: () => unauthorized('This API key is not valid.', 'invalid_token'),
  revoked: () => unauthorized('This API key has been revoked.', 'invalid_token'),
};

// The Bearer scheme, with or without a token after it (RFC 6750 §2.1).
const BEARER_SCHEME = /^Bearer(?:\s|$)/i;

/**
 * Whether a request presents a Bearer key that no request may use, even one that needs no key: wrong, revoked,
 * or not one token (`Bearer ` with a script's empty $KEY, a key with a space in it: RFC 6750 §3.1's malformed
 * token). Another scheme is not ours to judge on reads.
 */
export function presentsUnusableKey(request: FastifyRequest): boolean {
  const status = request.auth?.status;
  return status === 'invalid' || status === 'revoked' || (status === 'malformed' && BEARER_SCHEME.test(request.headers.authorization!));
}

function refuseUnusableKey(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  done(presentsUnusableKey(request) ? PROBLEMS[(request.auth as { status: 'invalid' | 'revoked' | 'malformed' }).status]() : undefined);
}

/**
 * A hook that lets only requests with a valid key of at least this scope through: 401 without a valid key,
 * 403 with a key of a lower scope. Use it as `preParsing` so that a request is refused before its body is
 * read (it also works as onRequest, preValidation or preHandler).
 */
export function requireScope(scope: ApiKeyScope): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const auth = (request.auth ??= authenticateHeader(request.server.db, request.headers.authorization));
    if (auth.status !== 'ok') throw PROBLEMS[auth.status]();
    if (!scopeAllows(auth.key.scope, scope)) {
      throw new HttpProblem(
        403,
        `This operation needs an API key with the "${scope}" scope; this key has the "${auth.key.scope}" scope.`,
      );
    }
  };
}

/** The key a request was authenticated with; only for handlers behind requireScope. */
export function apiKeyOf(request: FastifyRequest): ApiKeyIdentity {
  return (request.auth as Extract<Authentication, { status: 'ok' }>).key;
}
