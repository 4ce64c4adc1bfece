import { type IncomingMessage, maxHeaderSize, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { MethodsAt } from './methods.js';
import { ifMatchSyntaxError } from './etag.js';
import { HttpProblem, invalidParam, noResourceDetail, notAllowedDetail, type Problem, PROBLEM_CONTENT_TYPE, problemTitle, shownPath } from './problem.js';

// With its charset, as every problem Fastify sends has it.
const CONTENT_TYPE = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

// What Node's HTTP parser refuses before a request exists (no route, no hook, no error handler runs): a request
// line and headers beyond the parser's limit (431), bytes that are not HTTP (400), a request not received within
// REQUEST_TIMEOUT_MS (408). Fastify answered these with a JSON body of its own ({"error": …}, not a problem), and
// without "Connection: close", though it closes the connection: a client that kept it alive sent its next request
// into a closed socket. Answered here as every other refusal is, then the connection is closed.

type ConnectionError = Parameters<NonNullable<FastifyServerOptions['clientErrorHandler']>>[0];

const problem = (status: number, detail: string): Problem => ({ type: 'about:blank', title: problemTitle(status), status, detail });

/** A problem written on a socket whose request no route will answer, with Connection: close (and Allow, given one). */
function writeProblem(socket: Duplex, answer: Problem, allow?: string): void {
  const body = JSON.stringify(answer);
  socket.write(
    `HTTP/1.1 ${answer.status} ${answer.title}\r\nContent-Type: ${CONTENT_TYPE}\r\n` +
      (allow === undefined ? '' : `Allow: ${allow}\r\n`) +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function problemOf(error: ConnectionError): Problem {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return problem(
      431,
      `The request line and headers together are longer than the ${maxHeaderSize} bytes the server reads: shorten the URL (fewer or shorter query parameters) or the headers.`,
    );
  }
  if (error.code === 'HPE_PAUSED_H2_UPGRADE') {
    return problem(400, 'This server speaks HTTP/1.1 only: an HTTP/2 connection (its preface, PRI * HTTP/2.0) is not served. Send HTTP/1.1.');
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return problem(408, 'The whole request was not received in time (REQUEST_TIMEOUT_MS): send it again, faster.');
  }
  const reason = (error as { reason?: unknown }).reason;
  return problem(400, `The request is not well-formed HTTP/1.1${typeof reason === 'string' ? ` (${reason})` : ''}.`);
}

/** Fastify's clientErrorHandler: a problem for what the HTTP parser refused, and the connection closed. */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Not into a response already begun (a request timing out while its pipelined predecessor is answered).
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) writeProblem(socket, problemOf(error));
  socket.destroy();
}

// Node's server answers three kinds of request itself, with an empty body: an Expect other than 100-continue
// (417), CONNECT (it closed the connection without a word) and, unless told not to (`requireHostHeader: false`
// in serverOptions), an HTTP/1.1 request without a Host header (400). Each is a problem here too.

/**
 * CONNECT asks for a tunnel, which Node hands to a 'connect' listener whatever its target, never to a route. To a
 * path, it is answered as any method the path does not take (as inject(), which has no tunnel, answers): a 405
 * whose Allow lists the path's methods, or a 404. To a host (host:port), a 405 whose Allow is empty: no method is
 * served there (RFC 9110, 10.2.1).
 */
function refuseConnect(target: string, methodsAt: MethodsAt): { answer: Problem; allow?: string } {
  if (!target.startsWith('/')) return { answer: problem(405, 'CONNECT is not served: this is an API, not a proxy.'), allow: '' };
  const path = target.split('?')[0]!;
  const allowed = methodsAt(path);
  if (allowed.length === 0) return { answer: { ...problem(404, noResourceDetail('CONNECT', path)), instance: shownPath(path) } };
  return { answer: { ...problem(405, notAllowedDetail('CONNECT', path, allowed)), instance: shownPath(path) }, allow: allowed.join(', ') };
}

// Requests with `Expect: 100-continue` whose 100 is not sent yet, and their responses.
const awaitingContinue = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * A route's last preParsing hook: from here on, the first 'data' or 'readable' listener on the body (the stream
 * the body parser reads, or the request itself for a form) sends the 100. Not before: @fastify/compress's
 * preParsing, which runs first, pipes a Content-Encoding body into its decompressor, which is no read of it, and
 * the key (requireScope), an import slot and the media type (415) are judged after it.
 */
function continueOnRead(request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (error: null, body: Readable) => void): void {
  const response = awaitingContinue.get(request.raw);
  if (response !== undefined) {
    awaitingContinue.delete(request.raw);
    const bodies = payload === request.raw ? [payload] : [payload, request.raw];
    const onListener = (event: string | symbol) => {
      if (event !== 'data' && event !== 'readable') return;
      for (const body of bodies) body.removeListener('newListener', onListener);
      if (!response.headersSent) response.writeContinue();
    };
    for (const body of bodies) body.on('newListener', onListener);
  }
  done(null, payload);
}

/**
 * Node's own refusals, as problems: registered on the app's server (see serverOptions for the Host header);
 * `methodsAt` (from registerProblemHandlers) says what a CONNECT's path is served for.
 */
export function answerServerRefusals(app: FastifyInstance, methodsAt: MethodsAt): void {
  app.server.on('checkExpectation', (request, response: ServerResponse) => {
    const body = JSON.stringify(
      problem(417, `The server meets no expectation but "100-continue"; this request expects "${request.headers.expect}". Send it without Expect.`),
    );
    response.writeHead(417, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' });
    response.end(body);
  });
  // Node answers `Expect: 100-continue` with a 100 at once, before any hook runs: a client then sent the whole body
  // of a request refused on its head (a 401, a 413 by Content-Length, a 415, a 503 of a full import slot), the very
  // upload Expect is for sparing (RFC 9110, 10.1.1). The 100 goes when the operation begins reading the body (see
  // continueOnRead); a final answer before that is sent without one, and Node then closes the connection, so the
  // body never comes.
  app.server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    awaitingContinue.set(request, response);
    app.server.emit('request', request, response);
  });
  app.addHook('onRoute', (route: RouteOptions) => {
    route.preParsing = [...[route.preParsing ?? []].flat(), continueOnRead] as RouteOptions['preParsing'];
  });
  app.server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    const { answer, allow } = refuseConnect(request.url ?? '', methodsAt);
    writeProblem(socket, answer, allow);
    socket.end();
  });
  app.addHook('onRequest', checkRequestHead);
}

// Headers of one value that Node reads from their first line and drops the others of, so that a proxy that read
// the last one (another Host, another key, another media type) and this server would each act on a different one.
const HEADER_NAMES = { host: 'Host', authorization: 'Authorization', 'content-type': 'Content-Type' } as const;
const SINGLE_HEADERS = Object.keys(HEADER_NAMES) as (keyof typeof HEADER_NAMES)[];

/** How many times the request names a header (Node keeps the first Host of several, and joins others). */
function headerLines(request: FastifyRequest, name: string): number {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let at = 0; at < raw.length; at += 2) if (raw[at]!.toLowerCase() === name) count++;
  return count;
}

/**
 * The transfer codings applied before the final chunked (`Transfer-Encoding: gzip, chunked`), which Node's parser
 * lets through and does not undo: the body was read as if chunked were the only one (a gzip stream parsed as JSON).
 * Node refuses every other Transfer-Encoding itself (a last coding other than chunked, chunked twice).
 */
function unknownTransferCodings(request: FastifyRequest): string[] {
  const header = request.headers['transfer-encoding'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding.toLowerCase() !== 'chunked');
}

/**
 * RFC 9112 (3.2): an HTTP/1.1 request without a Host header is a 400, as is one with two Host, Authorization or
 * Content-Type headers (RFC 9110, 5.3: each takes one value); so is a target with
 * a fragment, which Node's parser lets through and the router cut off as if a query began there ("/v1/states#x":
 * an unknown parameter "x"; "?limit=1#x": a limit of "1#x"), and an If-Match that is not its syntax (`*, "a"`, an
 * unquoted tag: RFC 9110, 13.1.1), on reads and writes alike (it was a 412, as if it named another
 * representation). A transfer coding the server does not implement is a 501 (RFC 9112, 6.1).
 */
function checkRequestHead(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
    return done(new HttpProblem(400, 'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2).'));
  }
  const repeated = SINGLE_HEADERS.find((name) => headerLines(request, name) > 1);
  if (repeated !== undefined) {
    return done(
      new HttpProblem(
        400,
        `The request has more than one ${HEADER_NAMES[repeated]} header, which takes one value: send one (RFC 9110, section 5.3` +
          `${repeated === 'host' ? '; RFC 9112, section 3.2' : ''}).`,
      ),
    );
  }
  const codings = unknownTransferCodings(request);
  if (codings.length > 0) {
    return done(
      new HttpProblem(
        501,
        `The body's Transfer-Encoding applies ${codings.map((coding) => `"${coding}"`).join(', ')} before chunked, which this server does not ` +
          'implement (RFC 9112, section 6.1): send the body chunked alone, or with a Content-Encoding the operation accepts.',
      ),
    );
  }
  const ifMatch = request.headers['if-match'];
  const malformed = ifMatch === undefined ? undefined : ifMatchSyntaxError(ifMatch);
  if (malformed !== undefined) return done(invalidParam('header', 'if-match', malformed));
  // RFC 9110 §13.2.2: If-Unmodified-Since is evaluated only without If-Match. @fastify/static's `send` evaluated
  // both: a static file under If-Match: * and an older date was a 412. (The API reads neither date.)
  if (ifMatch !== undefined) delete request.raw.headers['if-unmodified-since'];
  if (request.raw.url?.includes('#')) {
    return done(
      new HttpProblem(
        400,
        'The request target holds a fragment (from "#" on): a fragment is no part of a request (RFC 9112, section 3.2); send the target without it.',
      ),
    );
  }
  done();
}
