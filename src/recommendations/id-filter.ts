import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { Db } from '../db/open.js';
import { isRecommendationIdFilter } from '../http/params.js';
import { HttpProblem, type InvalidParam } from '../http/problem.js';

// Filters of other records by the recommendation they bear on (developments', assessments' `recommendationId`)
// take ids exactly as written, as stored. An id no recommendation has is a 400 naming it: it answered 200 with an
// empty page, so `recommendationId=kgz-3-fin-1` read as "nothing has followed up KGZ-3-FIN-1", which has three
// developments. (The recommendations' own `id` filter picks records and stays a selection: see the README.)

/** Which of the ids name stored recommendations: SQLite answers at once, PostgreSQL (src/db/pg/backend.ts) not. */
export interface RecommendationIdSource {
  stored(ids: readonly string[]): string[] | Promise<string[]>;
}

export function sqliteRecommendationIds(db: Db): RecommendationIdSource {
  const select = db.$client.prepare<[string], string>('select id from recommendations where id in (select value from json_each(?))').pluck();
  return { stored: (ids) => select.all(JSON.stringify(ids)) };
}

/** What to say about an id no recommendation has: the stored id it is in other case, when there is one. */
function explain(value: string, stored: ReadonlySet<string>): string {
  const base = `No recommendation has the id "${value}" (ids are case-sensitive)`;
  const upper = value.toUpperCase();
  return stored.has(upper) ? `${base}; did you mean ${upper}?` : `${base}; see GET /v1/recommendations.`;
}

/** Adds to every route whose query has recommendation-id filters a hook that answers 400 for an id no recommendation has. */
export function checkRecommendationIdFilters(app: FastifyInstance, source: RecommendationIdSource): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const shape = (route.schema?.querystring as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
    const filters = Object.keys(shape).filter((key) => isRecommendationIdFilter(shape[key]));
    if (filters.length === 0) return;
    const hook = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const query = request.query as Record<string, string[] | undefined>;
      const asked = filters.flatMap((key) => query[key] ?? []);
      if (asked.length === 0) return done();
      const check = (ids: string[]) => {
        const stored = new Set(ids);
        const errors: InvalidParam[] = filters.flatMap((key) =>
          [...new Set(query[key])].filter((value) => !stored.has(value)).map((value) => ({ in: 'query' as const, name: key, message: explain(value, stored) })),
        );
        if (errors.length === 0) return done();
        done(new HttpProblem(400, errors.map((e) => `Invalid query parameter "${e.name}": ${e.message}`).join('; '), errors));
      };
      const found = source.stored([...new Set([...asked, ...asked.map((value) => value.toUpperCase())])]);
      if (found instanceof Promise) found.then(check, done);
      else check(found);
    };
    route.preHandler = [hook, ...[route.preHandler ?? []].flat()] as RouteOptions['preHandler'];
  });
}
