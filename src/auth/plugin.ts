import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyScope } from '../db/schema.js';
import { HttpProblem, unauthorized } from '../http/problem.js';
import { type ApiKeyIdentity, type Authentication, authenticateHeader, scopeAllows } from './keys.js';

// Authentication: every request that sends `Authorization: Bearer <key>` is identified once, before rate
// limiting (which counts per key); routes that write demand a scope with requireScope. Reading needs no key,
// and a bad key on a read is ignored (the request counts as anonymous).

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
  },
  { name: 'upr-authentication' },
);

const PROBLEMS: Record<Exclude<Authentication['status'], 'ok'>, () => HttpProblem> = {
  none: () => unauthorized('This operation needs an API key, sent as `Authorization: Bearer <key>`.'),
  malformed: () => unauthorized('Send the API key as `Authorization: Bearer <key>`.', 'invalid_token'),
  invalid: () => unauthorized('This API key is not valid.', 'invalid_token'),
  revoked: () => unauthorized('This API key has been revoked.', 'invalid_token'),
};

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
    request.log.info({ apiKey: { id: auth.key.id, name: auth.key.name } }, 'authenticated');
  };
}

/** The key a request was authenticated with; only for handlers behind requireScope. */
export function apiKeyOf(request: FastifyRequest): ApiKeyIdentity {
  return (request.auth as Extract<Authentication, { status: 'ok' }>).key;
}
