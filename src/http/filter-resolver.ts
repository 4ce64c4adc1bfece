import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { HttpProblem, type InvalidParam } from './problem.js';

// List filters whose values name stored records (states, themes, reviews…): a hook replaces each value by the
// record's canonical key (so that equivalent queries share one cache entry and ETag), or answers 400 naming
// every unknown value, with close matches for the first few.

/** Unknown values that get suggestions (each costs a pass over the vocabulary): the rest are only named. */
const MAX_SUGGESTED_VALUES = 5;

export interface FilterResolver<Kind> {
  /** The query parameters of a route that this resolver resolves, each with its kind. */
  filtersOf(shape: Record<string, unknown>): [key: string, kind: Kind][];
  /** Whether every value is a canonical key as written (the common case: no refresh needed). */
  knows(kind: Kind, values: readonly string[]): boolean;
  /**
   * Brings the vocabulary of the kinds given (those with a value not known as written) to the current data
   * revision; a promise when its source answers asynchronously.
   */
  refresh(kinds: readonly Kind[]): void | Promise<void>;
  resolve(kind: Kind, values: readonly string[]): { keys: string[]; unknown: string[] };
  /** What to say about an unknown value (with close matches when `suggest`). */
  explain(kind: Kind, value: string, suggest: boolean): string;
}

/**
 * Adds the resolving hook to every route whose query has such filters. Call after the query cache's onRoute
 * hook: this hook then runs before the cache's.
 */
export function resolveFilters<Kind>(app: FastifyInstance, resolver: FilterResolver<Kind>): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const shape = (route.schema?.querystring as { shape?: Record<string, unknown> } | undefined)?.shape;
    const filters = resolver.filtersOf(shape ?? {});
    if (filters.length === 0) return;
    const resolveQuery = (query: Record<string, string[] | undefined>, done: HookHandlerDoneFunction) => {
      const errors: InvalidParam[] = [];
      for (const [key, kind] of filters) {
        const values = query[key];
        if (values === undefined) continue;
        const { keys, unknown } = resolver.resolve(kind, values);
        for (const value of new Set(unknown)) {
          errors.push({ in: 'query', name: key, message: resolver.explain(kind, value, errors.length < MAX_SUGGESTED_VALUES) });
        }
        query[key] = keys;
      }
      if (errors.length === 0) return done();
      const detail = errors.map((e) => `Invalid query parameter "${e.name}": ${e.message}`).join('; ');
      done(new HttpProblem(400, detail, errors));
    };
    const hook = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const query = request.query as Record<string, string[] | undefined>;
      const stale = filters.filter(([key, kind]) => query[key] !== undefined && !resolver.knows(kind, query[key]));
      const pending = stale.length === 0 ? undefined : resolver.refresh(stale.map(([, kind]) => kind));
      if (pending) pending.then(() => resolveQuery(query, done), done);
      else resolveQuery(query, done);
    };
    route.preHandler = [hook, ...[route.preHandler ?? []].flat()] as RouteOptions['preHandler'];
  });
}
