import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ifMatchHolds } from './etag.js';
import { fileConditionFailed, HttpProblem, problemResponses } from './problem.js';

// If-Match on a read (RFC 9110 §13.1.1, §13.2.2 step 1): an origin server evaluates it before answering, and a
// false one is a 412, GET and HEAD included (they read it not: a client holding an old list or record got the
// new one as if its tag still named it). Evaluated where the response's ETag is known: a list's, export's or
// stats' before its query runs (src/http/cache.ts), a record's once read (src/http/conditional.ts), and a
// response without an ETag (a history, the change feed, /openapi.json), which no tag names, when it is sent.
// An If-Match that is not RFC 9110's syntax is a 400 before any of this (src/http/client-errors.ts).
// If-Unmodified-Since and If-Modified-Since stay unread: no response has a Last-Modified, and RFC 9110
// §13.1.3-4 lets a server ignore them then (a record's updatedAt is not when what it shows last changed: an
// embedded development or a renamed label changes it; a list's newest record misses a deletion).

/** The 412 of a read whose If-Match names none of its current representations. */
export function readPreconditionFailed(etag: string | undefined): HttpProblem {
  return new HttpProblem(
    412,
    etag === undefined
      ? 'If-Match names an ETag, and this resource has none (it is answered without a validator): no tag can match. ' +
          'Send the request without If-Match, or with If-Match: *.'
      : 'If-Match does not name the current representation (compared strongly: a W/ tag never matches): it has ' +
          'changed since that ETag was sent. Send the request without If-Match for the current one and its ETag.',
  );
}

/** A 412 when the request's If-Match does not hold for a response with this ETag; undefined when it holds or is absent. */
export function failedIfMatch(request: FastifyRequest, etag: string): HttpProblem | undefined {
  const header = request.headers['if-match'];
  return header === undefined || ifMatchHolds(header, etag) ? undefined : readPreconditionFailed(etag);
}

const READS = new Set(['GET', 'HEAD']);

/**
 * An onSend hook: a successful read (or its 304) sent without an ETag (a history, the change feed, /openapi.json),
 * or with a weak one (@fastify/static's files, whose `send` compares If-Match weakly: it matched W/"…"), under an
 * If-Match other than `*` is a 412 instead. Strong ETags were evaluated where they were made.
 */
export function ifMatchWithoutValidator(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: HttpProblem | null, payload?: unknown) => void): void {
  const header = request.headers['if-match'];
  const etag = reply.getHeader('etag');
  const weak = typeof etag === 'string' && etag.startsWith('W/');
  const answered = reply.statusCode < 300 || reply.statusCode === 304;
  if (header === undefined || !READS.has(request.method) || !answered || (etag !== undefined && !weak) || ifMatchHolds(header, undefined)) {
    return done(null, payload);
  }
  // A file's stream, opened and now not sent.
  if (payload instanceof Readable) payload.destroy();
  done(weak ? new HttpProblem(412, fileConditionFailed(request)) : readPreconditionFailed(undefined));
}

/**
 * An `onRoute` hook: every read's OpenAPI responses name the 412 an If-Match may bring, and the 400 of an If-Match
 * that is not its syntax (src/http/client-errors.ts) where no other 400 is listed.
 */
export function documentReadPrecondition(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  const methods = [route.method].flat();
  if (!response || '412' in response || !methods.includes('GET')) return;
  const description =
    'If-Match names no current representation (compared strongly; a response without an ETag matches only *): ' +
    'nothing is sent but this problem.';
  const malformed = '400' in response
    ? {}
    : { 400: { ...problemResponses(400)[400], description: 'If-Match is not `*` or a list of entity tags: the problem names it and why.' } };
  route.schema = { ...route.schema, response: { ...response, ...malformed, 412: { ...problemResponses(412)[412], description } } };
}
