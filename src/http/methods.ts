import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';

// A path that is served, but not for the request's method, is a 405 with Allow (RFC 9110, 15.5.6), not a 404.
// The methods any route has are collected as routes are added; a request no route answers is then looked up in
// Fastify's own router once for each of them (a few lookups, for refused requests alone; no scan of the routes).

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const rank = (method: string) => {
  const at = ORDER.indexOf(method);
  return at < 0 ? ORDER.length : at;
};

/** The methods served at a path (a request's, without its query), in RFC 9110's order; none for no resource. */
export type MethodsAt = (path: string) => string[];

/** Collects the methods of the routes added from now on (an onRoute hook): call before any route is added. */
export function routedMethods(app: FastifyInstance): MethodsAt {
  const methods = new Set<string>();
  // Fastify adds a HEAD route beside each GET route through these hooks too.
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) methods.add(method);
  });
  return (path) => {
    const served = [...methods].filter((method) => app.findRoute({ method: method as HTTPMethods, url: path }) !== null);
    // The CORS preflight route answers OPTIONS on every path (src/http/options.ts): it makes no resource.
    if (served.every((method) => method === 'OPTIONS')) return [];
    return served.sort((a, b) => rank(a) - rank(b));
  };
}
