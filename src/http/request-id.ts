import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

// A request's id is in each of its log lines (`reqId`), in the X-Request-Id header of its answer and in a 500's
// detail: what a client quotes and an operator searches the log for. Fastify's own ids (req-1, req-2, …)
// started again at every start and were the same on every instance, and no answer carried them.

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An id a client (or a proxy in front) may give: one token of letters, digits and `-._:@+=/`, at most 128
 * characters. Anything else (a newline, an escape, 10 KB, two headers joined by a comma) is not used, nor logged.
 */
export const GIVEN_ID = /^[\w.:@+=/-]{1,128}$/;

/** Fastify's genReqId: the request's X-Request-Id when it is a plain bounded token, else a new UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
}

/** Every answer says its request's id (register before any other onRequest hook: a refusal by one has it too). */
export function sendRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
