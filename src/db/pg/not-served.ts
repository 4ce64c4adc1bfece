import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../../http/problem.js';

// On PostgreSQL (DATABASE_URL), the routes whose data access is ported (issue #12) are served; every other
// route that reads the database answers 501, saying so, until its module is ported behind a store as
// src/recommendations/store.ts is. Routes that never read the database (the docs, OpenAPI, the dashboard's
// static files, CORS preflights) are served as they are.

/** The routes that read the database and are served from PostgreSQL, as `METHOD url` (HEAD with GET). */
export const PORTED_ROUTES: readonly string[] = [
  'GET /healthz',
  'GET /readyz',
  'GET /v1/recommendations',
  'GET /v1/recommendations/:id',
  'POST /v1/recommendations',
  'PATCH /v1/recommendations/:id',
  'DELETE /v1/recommendations/:id',
  'PUT /v1/recommendations/:id/themes/:themeId',
  'DELETE /v1/recommendations/:id/themes/:themeId',
  // Writes, histories and the change feed (src/db/pg/write-transaction.ts, src/changes/pg-queries.ts).
  'GET /v1/recommendations/:id/history',
  'GET /v1/developments/:id/history',
  'GET /v1/assessments/:id/history',
  'GET /v1/statements/:id/history',
  'GET /v1/reviews/:id/history',
  'GET /v1/states/:id/history',
  'GET /v1/changes',
  'GET /v1/stats/recommendations',
  'GET /v1/stats/developments',
  'GET /v1/reviews/:id/summary',
  'GET /v1/sources',
  'GET /v1/sources/:id',
  'GET /v1/reviews',
  'GET /v1/reviews/:id',
  'GET /v1/states',
  'GET /v1/states/:id',
  'GET /v1/themes',
  'GET /v1/affected-persons',
  'GET /v1/sdgs',
  'GET /v1/recommendations/:id/related',
  'POST /v1/imports',
];

/** Route prefixes that never read the database. */
const WITHOUT_DATABASE = ['/docs', '/openapi', '/dashboard'];

function served(method: string, url: string): boolean {
  if (method === 'OPTIONS' || WITHOUT_DATABASE.some((prefix) => url.startsWith(prefix))) return true;
  return PORTED_ROUTES.includes(`${method === 'HEAD' ? 'GET' : method} ${url}`);
}

/** The one hook that answers 501 for the routes not served on PostgreSQL yet. */
export function notServedOnPostgres(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.routeOptions.url;
    // No route (a 404) or a served one: on to the route.
    if (url === undefined || served(request.method, url)) return done();
    done(
      new HttpProblem(
        501,
        `${request.method} ${url} is not served on PostgreSQL yet (issue #12); served: ${PORTED_ROUTES.join(', ')}. ` +
          'Serve from SQLite (DATABASE_PATH) for the whole API.',
      ),
    );
  });
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href;
}
