import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

// A response sent before its request's body was read to the end (a 415 or 401 on a gzip-encoded body, a 413 on a
// form whose field is too long, a form with more after its file) must not leave the rest of the body in the
// connection: the next request on a kept-alive connection comes after it, and is read only once it is.
//
// Node's http server discards an unread body itself when a response ends (IncomingMessage._dump), but only a body
// nobody began to read ("req._consuming": read(), pipe(), 'data' or resume()). A body that was piped somewhere
// and then left (@fastify/compress's request decompression pipes every Content-Encoding body into a gunzip stream
// in preParsing, before the route has a parser for it; @fastify/multipart pipes a form into busboy) is kept: its
// pipe fills, the socket is paused, and the next request on the connection waits until the client gives up or the
// server times the socket out. Fastify closes the connection only after its own body parsers fail
// (Connection: close, content-type-parser.js), not after a hook's or a handler's answer.
//
// So here, for every response of a route that reads bodies: if the body is not complete, whatever it was piped
// into is detached and the rest is read and discarded, as Node does for a body never read. The connection stays
// open for the next request; a client that keeps sending is bounded by REQUEST_TIMEOUT_MS as any request is.
// Fastify reads no body on GET and HEAD: those routes get no request decompression (nothing is piped from their
// bodies, which Node then discards), so neither the hook nor compress's preParsing is on the read path.

/** Reads the rest of a request body into nothing, detached from whatever it was piped into. */
export function discardRestOfBody(raw: IncomingMessage): void {
  if (raw.complete || raw.destroyed || raw.readableEnded) return;
  raw.unpipe();
  raw.removeAllListeners('data');
  raw.resume();
}

function onSend(request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  discardRestOfBody(request.raw);
  done(null, payload);
}

const readsNoBody = (route: RouteOptions) => [route.method].flat().every((method) => method === 'GET' || method === 'HEAD');

/**
 * Every response of a route of `app` that reads bodies discards what its request body still has unread (see
 * above); a route that reads none has no request decompression. Call before compress is registered.
 */
export function discardUnreadBodies(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (readsNoBody(route)) {
      (route as RouteOptions & { decompress?: false }).decompress = false;
      return;
    }
    route.onSend = [...[route.onSend ?? []].flat(), onSend] as RouteOptions['onSend'];
  });
}
