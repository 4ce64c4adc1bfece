import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { MethodsAt } from './methods.js';
import { HttpProblem, noResourceDetail } from './problem.js';

// OPTIONS requests. A CORS preflight (Origin and Access-Control-Request-Method, per the Fetch standard) is
// answered 204 with the CORS headers @fastify/cors set. Any other OPTIONS asks what the target takes (RFC 9110,
// 9.3.7): 204 with Allow listing the path's methods, as a 405 there would; a 404 where no resource is; for
// `OPTIONS *` (the server as a whole), 204. It was a 400 that named the preflight headers, while every Allow
// listed OPTIONS. Both are answered by the route's handler, after every onRequest hook, so that they carry the
// same security headers as every other response.

function answerOptions(methodsAt: MethodsAt) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { origin, 'access-control-request-method': method } = request.headers;
    reply.code(204).header('content-length', '0');
    if ((origin !== undefined && method !== undefined) || request.url === '*') return reply.send();
    const path = request.url.split('?')[0]!;
    const allowed = methodsAt(path);
    if (allowed.length === 0) throw new HttpProblem(404, noResourceDetail('OPTIONS', path));
    return reply.header('allow', allowed.join(', ')).send();
  };
}

/** An onRoute hook, added before @fastify/cors registers its OPTIONS route: that route's handler becomes ours. */
export function answerOptionsRoute(methodsAt: MethodsAt): (route: RouteOptions) => void {
  const handler = answerOptions(methodsAt);
  return (route) => {
    if (route.method === 'OPTIONS') route.handler = handler;
  };
}
