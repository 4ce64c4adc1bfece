import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { requestedFormat } from './formats.js';
import { HttpProblem, problemResponses } from './problem.js';

interface RouteConfig {
  queryCache?: { formats?: unknown };
}

/** A read of the API that answers JSON alone: the lists and stats negotiate formats of their own. */
function readsJsonOnly(method: RouteOptions['method'], url: string | undefined, config: RouteConfig | undefined): boolean {
  const methods = Array.isArray(method) ? method : [method];
  return methods.some((m) => m === 'GET' || m === 'HEAD') && url?.startsWith('/v1/') === true && !config?.queryCache?.formats;
}

/**
 * A read of the API that answers JSON alone (a record, themes, a history, the change feed): an Accept header that
 * allows no JSON is a 406, as on the lists, rather than JSON a client asked not to get (`curl -H 'Accept: text/csv'
 * …/v1/themes -o themes.csv` saved JSON, and exited 0).
 */
export function acceptJsonOnly(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const { url, config } = request.routeOptions;
  if (readsJsonOnly(request.method as RouteOptions['method'], url, config as RouteConfig)) {
    if (requestedFormat(undefined, request.headers.accept, ['json']) === undefined) {
      return done(new HttpProblem(406, 'This resource is available as application/json only, in UTF-8; the Accept header does not allow it.'));
    }
  }
  done();
}

/** An `onRoute` hook: such a read's OpenAPI responses name the 406 too, as the lists' do. */
export function documentNotAcceptable(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  if (!response || '406' in response || !readsJsonOnly(route.method, route.url, route.config as RouteConfig)) return;
  route.schema = { ...route.schema, response: { ...response, ...problemResponses(406) } };
}
