import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { HttpProblem } from './problem.js';

// OPTIONS requests. A CORS preflight (Origin and Access-Control-Request-Method, per the Fetch standard) is
// answered 204 with the CORS headers @fastify/cors set; an OPTIONS request without them is no preflight and
// gets a 400 problem. Both are answered by the route's handler, after every onRequest hook, so that they
// carry the same security headers as every other response.

async function answerOptions(request: FastifyRequest, reply: FastifyReply) {
  const { origin, 'access-control-request-method': method } = request.headers;
  if (origin === undefined || method === undefined) {
    throw new HttpProblem(
      400,
      'OPTIONS is answered only as a CORS preflight, which sends both Origin and Access-Control-Request-Method; ' +
        `this request has no ${origin === undefined ? 'Origin' : 'Access-Control-Request-Method'} header.`,
    );
  }
  return reply.code(204).header('content-length', '0').send();
}

/** An onRoute hook, added before @fastify/cors registers its OPTIONS route: that route's handler becomes ours. */
export function answerOptionsRoute(route: RouteOptions): void {
  if (route.method === 'OPTIONS') route.handler = answerOptions;
}
