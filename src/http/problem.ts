import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { oneOf, quoteGiven, shownGiven } from '../common/zod-messages.js';
import { BUSY_RETRY_AFTER_SECONDS, isDatabaseBusy } from '../db/busy.js';
import { isStorageFull } from '../db/storage-full.js';
import { isDatabaseFileError } from '../db/database-files.js';
import { isPrivilegeRefused, isWriteRefused, READ_REFUSED_DETAIL, WRITE_REFUSED_DETAIL } from '../db/write-refused.js';
import { isReadTimeout, READ_TIMEOUT_RETRY_AFTER_SECONDS } from '../db/pg/read-timeout.js';
import { isDatabaseUnreachable, UNREACHABLE_RETRY_AFTER_SECONDS } from '../db/unreachable.js';
import { type MethodsAt, routedMethods } from './methods.js';
import { acceptsRepeats } from './params.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { boundedDistance } from '../common/edit-distance.js';

// RFC 9457 problem details: the only place error bodies are shaped.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const invalidParamSchema = z
  .object({
    in: z.enum(['query', 'path', 'header', 'body']).describe('Where the offending value was sent.'),
    name: z.string().describe('The parameter (or body field path) that is wrong.'),
    message: z.string().describe('What is wrong with it.'),
  })
  .meta({ id: 'InvalidParam' });

/**
 * The most problems one answer lists (in `errors` and in its detail); past them the detail says how many more. A
 * body of 80,000 unknown keys (870 KB) was answered with each named twice: 8.8 MB, in 1.6 s.
 */
export const MAX_LISTED_ERRORS = 50;

export const problemSchema = z
  .object({
    type: z.string().describe('A URI identifying the problem type; "about:blank" when the status says it all.'),
    title: z.string().describe('Short summary of the problem type.'),
    status: z.int().min(100).max(599).meta({ format: 'int32' }).describe('The HTTP status code.'),
    detail: z.string().describe('What went wrong with this request, for a human.'),
    instance: z.string().optional().describe('The request path the problem occurred on.'),
    errors: z
      .array(invalidParamSchema)
      .max(MAX_LISTED_ERRORS)
      .optional()
      .describe(`Every invalid parameter, for validation problems: the first ${MAX_LISTED_ERRORS}, the detail says how many more.`),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem details object (media type application/problem+json).',
    example: {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Invalid query parameter "limit": Too big: expected a whole number from 1 to 500, given "1000"',
      instance: '/v1/recommendations',
      errors: [{ in: 'query', name: 'limit', message: 'Too big: expected a whole number from 1 to 500, given "1000"' }],
    },
  });

export type Problem = z.infer<typeof problemSchema>;
export type InvalidParam = z.infer<typeof invalidParamSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

/**
 * An error a handler (or hook) throws to answer with a problem (404 for an unknown id, 400 for a bad
 * cursor…), with the response headers the status needs (WWW-Authenticate on a 401, Retry-After on a 503).
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: InvalidParam[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

export function notFound(what: string, id: string): HttpProblem {
  return new HttpProblem(404, `${what} "${id}" does not exist.`);
}

export function invalidParam(where: InvalidParam['in'], name: string, message: string): HttpProblem {
  return new HttpProblem(400, `Invalid ${describeLocation(where)} "${name}": ${message}`, [
    { in: where, name, message },
  ]);
}

/** 400: invalid parameters or body fields, every one named. */
export function invalidParams(errors: InvalidParam[]): HttpProblem {
  return new HttpProblem(400, describeErrors(errors), errors);
}

/** 422: a well-formed body that contradicts itself or the stored data (unknown references…), every field named. */
export function unprocessable(errors: InvalidParam[]): HttpProblem {
  return new HttpProblem(422, describeErrors(errors), errors);
}

/** The detail of a problem listing invalid parameters: each named, with what is wrong. */
export function describeErrors(errors: InvalidParam[]): string {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `Invalid ${describeLocation(e.in)} "${e.name}": ${e.message}`);
  const more = errors.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more} more (${errors.length} in all)` : listed.join('; ');
}

/** 401 with the RFC 6750 challenge; `error` is "invalid_token" when a key was sent but is not valid. */
export function unauthorized(detail: string, error?: 'invalid_token'): HttpProblem {
  const challenge = error ? `Bearer realm="upr-tracker", error="${error}"` : 'Bearer realm="upr-tracker"';
  return new HttpProblem(401, detail, undefined, { 'www-authenticate': challenge });
}

/** A status's title: its name in RFC 9110 where listed above, else its class. */
export function problemTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  errors?: InvalidParam[],
): FastifyReply {
  const body: Problem = {
    type: 'about:blank',
    title: problemTitle(status),
    status,
    detail,
    instance: shownPath(request.url.split('?')[0]!),
    ...(errors ? { errors: errors.slice(0, MAX_LISTED_ERRORS) } : {}),
  };
  // A problem is never stored by a shared cache: it was cacheable for a minute when a list's ETag and
  // Cache-Control were set before its handler failed (a 503 of one moment served to everyone; a 400 about a
  // label a later write adds).
  // Said again for the refusals no hook saw (a malformed URL: Fastify's frameworkErrors).
  if (!reply.hasHeader(REQUEST_ID_HEADER)) reply.header(REQUEST_ID_HEADER, request.id);
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store').send(body);
}

const CONTEXTS: Record<string, InvalidParam['in']> = {
  querystring: 'query',
  params: 'path',
  headers: 'header',
  body: 'body',
};

function describeLocation(where: InvalidParam['in']): string {
  return where === 'body' ? 'body field' : `${where} parameter`;
}

// Fastify validates a request's params, body, query and headers in this order and stops at the first part that
// fails: the parts after it are checked here with their own schemas, so that one answer names every fault (a bad
// body and a bad Idempotency-Key were two round trips).
const PARTS = ['params', 'body', 'querystring', 'headers'] as const;
const partValue = (request: FastifyRequest, part: (typeof PARTS)[number]): unknown =>
  part === 'params' ? request.params : part === 'body' ? request.body : part === 'querystring' ? request.query : request.headers;

function validationErrors(error: FastifyError, request: FastifyRequest): InvalidParam[] {
  const schemas = (request.routeOptions.schema ?? {}) as Partial<Record<(typeof PARTS)[number], unknown>>;
  const failed = PARTS.indexOf(error.validationContext as (typeof PARTS)[number]);
  const later = PARTS.slice(failed < 0 ? PARTS.length : failed + 1).flatMap((part) => {
    const schema = schemas[part];
    if (!(schema instanceof z.ZodType)) return [];
    const checked = validatorCompiler({ schema, method: request.method, url: request.routeOptions.url ?? '', httpPart: part })(
      partValue(request, part),
    ) as { error?: FastifyError['validation'] };
    return checked.error === undefined ? [] : partErrors(part, checked.error, request);
  });
  return [...partErrors(error.validationContext ?? 'body', error.validation ?? [], request), ...later];
}

/**
 * Names an earlier release documented, renamed since (docs/api-changes.md): a client written against that
 * openapi.yaml is told the new name instead of only "unknown" (top-level names only: a source's own keys were never
 * renamed). A Map: a key like "__proto__" is data here.
 */
const RENAMED = new Map([
  ['state', 'stateUnderReview'],
  ['source', 'sources'],
  ['code', 'id'],
]);

/** The message for a name an earlier release took (state, source, code), naming today's; undefined for any other. */
function renamedMessage(where: string, key: string): string | undefined {
  const renamed = RENAMED.get(key);
  if (renamed === undefined) return undefined;
  return `${where === 'body' ? 'Unknown field' : 'Unknown parameter'}: renamed "${renamed}" (see docs/api-changes.md)`;
}

function partErrors(context: string, validation: NonNullable<FastifyError['validation']>, request: FastifyRequest): InvalidParam[] {
  const where = CONTEXTS[context] ?? 'body';
  const errors = validation.flatMap((issue) => {
    const keys = (issue.params as { keys?: unknown }).keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      // Where in the body: a key unknown to a source is "sources.0.x", not "x".
      const within = issue.instancePath.split('/').filter(Boolean);
      const names = unknownKeyMessages(where, within.length === 0 ? routeSchemas(request)[context] : undefined);
      return keys.map((key, i) => ({
        in: where,
        name: [...within, shownGiven(String(key))].join('.'),
        message: (within.length === 0 ? renamedMessage(where, String(key)) : undefined) ?? names(String(key), i),
        path: '',
        wrongType: false,
      }));
    }
    const name = issue.instancePath.replace(/^\//, '').replace(/\/\d+$/, '').replaceAll('/', '.');
    const wrongType = issue.keyword === 'invalid_type';
    const message =
      where === 'body' && isAbsent(request.body, issue.instancePath)
        ? required(issue.message)
        : withGiven(issue.message ?? 'Invalid value', givenValue(partValue(request, context as (typeof PARTS)[number]), issue.instancePath));
    return [{ in: where, name: name || '(the whole body)', message, path: issue.instancePath, wrongType }];
  });
  // A value of the wrong type gets that error alone: zod also runs the length checks a string and a list
  // share (`[]` for a text was "expected string, received array" and "expected array to have >=1 items").
  // By path: each item of a list is judged on its own.
  const mistyped = new Set(errors.filter((e) => e.wrongType).map((e) => e.path));
  const typed = errors.filter((e) => e.wrongType || !mistyped.has(e.path)).map(({ wrongType: _, path: __, ...e }) => e);
  const named = where === 'query' ? queryErrors(typed, request) : typed;
  // Once each: the items of a list share a name (cycle/0 and cycle/1 are both "cycle").
  const seen = new Set<string>();
  return named.filter((e) => {
    const key = `${e.name}\0${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a body has no value at an issue's path (zod said "expected boolean, received undefined"). */
function isAbsent(body: unknown, path: string): boolean {
  let value = body;
  for (const key of path.split('/').filter(Boolean)) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return true;
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined;
}

/**
 * A field left out: zod's messages for its type or options say so (src/common/zod-messages.ts); a schema's own
 * "Expected …" becomes "Required: expected …".
 */
function required(message: string | undefined): string {
  if (message?.startsWith('Required')) return message;
  return message?.startsWith('Expected ') ? `Required: e${message.slice(1)}` : 'Required';
}

/**
 * The value a part of a request holds at an issue's path, as sent: a query parameter's text (a list's whole
 * text, "2,x": its items are not split before it is refused), undefined where nothing is.
 */
function givenValue(part: unknown, path: string): unknown {
  let value = part;
  for (const key of path.split('/').filter(Boolean)) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return typeof value === 'string' ? value : undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A schema's own message, with the value given when it does not say it yet (zod's own do: zod-messages.ts): a
 * text, a number, a boolean or null; a list or an object is not quoted back whole.
 */
function withGiven(message: string, value: unknown): string {
  if (value === undefined || (typeof value === 'object' && value !== null) || /\bgiven\b|\bempty\b/i.test(message)) return message;
  return `${message}, given ${quoteGiven(value)}`;
}

const routeSchemas = (request: FastifyRequest) => (request.routeOptions.schema ?? {}) as Partial<Record<string, unknown>>;

/**
 * What unknown parameters or fields are told: the name meant, when one the operation takes is close to it
 * ("limt": did you mean "limit"?); else, once, the names it takes there (at a body's top level), or that it
 * takes none. Only the first keys are judged: no more are listed (80,000 unknown keys were sent).
 */
/** Whether a key is a name misspelt: another case, or (from 3 characters) 1 edit off a short name, 2 off a longer one. */
function isCloseTo(key: string, name: string): boolean {
  if (key === name) return true;
  const bound = name.length <= 4 ? 1 : 2;
  return key.length >= 3 && boundedDistance(key, name, bound) <= bound;
}

function unknownKeyMessages(where: InvalidParam['in'], schema: unknown): (key: string, index: number) => string {
  const unknown = where === 'body' ? 'Unknown field' : 'Unknown parameter';
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  if (shape === undefined) return () => unknown;
  const names = Object.keys(shape);
  if (names.length === 0) return () => `${unknown}: this operation takes no ${where} parameters`;
  let listed = false;
  return (key, index) => {
    if (index >= MAX_LISTED_ERRORS) return unknown;
    const close = names.find((name) => isCloseTo(key.toLowerCase(), name.toLowerCase()));
    if (close !== undefined) return `${unknown}: did you mean "${close}"?`;
    if (listed) return unknown;
    listed = true;
    return `${unknown}: this operation takes ${oneOf(names).replace(/^one of /, '')}`;
  };
}

/**
 * A required query parameter left out, with what it takes: what its schema says of an empty value (a list of
 * options answers "expected one of …"; a union said only "Invalid input").
 */
function requiredQuery(schema: z.ZodType): string {
  const expected = /(expected .*?)(?:, given .*)?$/.exec(schema.safeParse('').error?.issues[0]?.message ?? '')?.[1];
  return expected === undefined ? 'Required' : `Required: ${expected}`;
}

/**
 * What is wrong with a query parameter when it is not its value: one that takes one value but was given
 * several times (it arrives as an array; its schema would say "expected number, received NaN"), or a
 * required one not given (a union's bare "Invalid input").
 */
function queryErrors(errors: InvalidParam[], request: FastifyRequest): InvalidParam[] {
  const query = request.query as Record<string, unknown> | undefined;
  const shape = (request.routeOptions.schema?.querystring as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
  return errors.map((e) => {
    // Own keys only: a parameter named toString or __proto__ found Object's, which is no schema (a 500).
    const schema = shape !== undefined && Object.hasOwn(shape, e.name) ? shape[e.name] : undefined;
    if (schema === undefined) return e;
    const values = query?.[e.name];
    if (values === undefined) return { ...e, message: e.message.startsWith('Required') ? e.message : requiredQuery(schema) };
    if (Array.isArray(values) && !acceptsRepeats(schema)) return { ...e, message: `Given ${values.length} times: give it once` };
    return e;
  });
}

// A media type as RFC 9110 writes one (type/subtype, tokens), without its parameters.
const MEDIA_TYPE = /^[\w!#$%&'*+.^`|~-]{1,60}\/[\w!#$%&'*+.^`|~-]{1,100}$/;

/**
 * What a 415 says: the media type sent and those the operation accepts, as its OpenAPI request body lists
 * them (the route's `consumes`; JSON for a route with a body schema and none), or that it takes no body.
 */
function unsupportedMediaType(request: FastifyRequest): string {
  const schema = request.routeOptions.schema as { consumes?: readonly string[]; body?: unknown } | undefined;
  const sent = request.headers['content-type']?.split(';')[0]!.trim().toLowerCase();
  const refused =
    sent === undefined || sent === ''
      ? 'The body has no media type (Content-Type)'
      : MEDIA_TYPE.test(sent)
        ? `The body's media type, ${sent}, is not one this operation accepts`
        : "The body's media type is not one this operation accepts";
  if (schema?.body === undefined) return `${refused}: this operation takes no body.`;
  return `${refused}: send ${(schema.consumes ?? ['application/json']).join(', ')}.`;
}

/**
 * The longest path a problem shows whole (its instance, a 404's or a 405's detail): longer than any the API serves,
 * two ids of MAX_RECORD_ID (200) in `/v1/developments/{id}/recommendations/{recommendationId}` included. Cut at a
 * value's 60 characters, a label's or a link's path lost its end; unbounded, a 6,000-character path came back whole.
 */
export const SHOWN_PATH_CHARS = 512;

/** A path as a problem shows it: whole up to SHOWN_PATH_CHARS, its invisible characters escaped. */
export const shownPath = (path: string) => shownGiven(path, SHOWN_PATH_CHARS);

/** What a 404 says: no resource at the method and path (a request's, without its query). */
export const noResourceDetail = (method: string, path: string) => `There is no resource at ${method} ${shownPath(path)}.`;

/** What Fastify's own refusals of a URL say (a bad escape: 400; a parameter past maxParamLength: 414), the URL quoted cut. */
export function frameworkDetail(error: Pick<FastifyError, 'message'>): string {
  return error.message.replace(/^'([\s\S]*)'(?= is )/, (_, url: string) => quoteGiven(url));
}

/** What a 405 says, beside its Allow header. */
export const notAllowedDetail = (method: string, path: string, allowed: string[]) =>
  `${method} is not served at ${shownPath(path)}; ${allowed.join(', ')} are (see Allow).`;

function noResource(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(request, reply, 404, noResourceDetail(request.method, request.url.split('?')[0]!));
}

/** The not-found handler: 405 with Allow where the path is served for other methods, else 404. */
function noRoute(methodsAt: MethodsAt) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0]!;
    const allowed = methodsAt(path);
    // A route that found nothing for its own method (a static file that is not there) calls this handler too.
    if (allowed.length === 0 || allowed.includes(request.method)) return noResource(request, reply);
    reply.header('allow', allowed.join(', '));
    return sendProblem(request, reply, 405, notAllowedDetail(request.method, path, allowed));
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a 413 says of the route's body limit and what raises it (a route with a limit of its own). */
    bodyLimitNote?: string;
  }
}

const STORAGE_FULL_DETAIL =
  "The database has no room left for this write: the server's disk is full (or the database reached its size limit). " +
  'Nothing was changed; this is logged for the service\'s operators. Retry once it has space again.';

/** Fastify's refusals of a body as it reads and parses one, before any handler runs. */
const isBodyRefusal = (error: FastifyError) =>
  error.code?.startsWith('FST_ERR_CTP_') === true || error.code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE';

/** A body beyond the route's limit: the limit in bytes, and what sets it. */
function bodyTooLarge(request: FastifyRequest): string {
  return (
    request.routeOptions.config.bodyLimitNote ??
    `The request body is larger than ${request.routeOptions.bodyLimit} bytes, the most this server accepts (its BODY_LIMIT_BYTES setting).`
  );
}

/**
 * The detail of a static file's 412 (@fastify/static's `send`, or ifMatchWithoutValidator for a weak ETag): it said
 * "Precondition Failed" and nothing of which header failed or why.
 */
export function fileConditionFailed(request: FastifyRequest): string {
  const ifMatch = request.headers['if-match'];
  if (ifMatch !== undefined && ifMatch.trim() !== '*') {
    return (
      "If-Match names no current representation of this file: its ETag is weak (W/\"…\"), and If-Match compares " +
      'strongly (RFC 9110, section 13.1.1), so only * matches it. Send the request without If-Match.'
    );
  }
  return (
    'The file was modified after the date in If-Unmodified-Since (RFC 9110, section 13.1.4): its Last-Modified is ' +
    'later. Send the request without it for the current file and its Last-Modified.'
  );
}

/** A range beyond a static file's end: the file's size, from the Content-Range `send` gives the error. */
function rangeNotSatisfiable(request: FastifyRequest, reply: FastifyReply, error: FastifyError): FastifyReply {
  const contentRange = (error as { headers?: Record<string, string> }).headers?.['Content-Range'];
  const size = /^bytes \*\/(\d+)$/.exec(contentRange ?? '')?.[1];
  if (size === undefined) return sendProblem(request, reply, 416, error.message);
  reply.header('content-range', contentRange);
  return sendProblem(request, reply, 416, `No range asked for is within the file, which is ${size} bytes: a range starts below ${size}.`);
}

/**
 * The error and not-found handlers: call before any route is added (the latter learns their methods). Returns
 * the methods served at a path, for what answers requests no route sees (CONNECT: src/http/client-errors.ts).
 */
/**
 * Takes off what the answer being prepared said of its own body: an export that fails before its first byte
 * (its query read when the stream starts) had its coding, attachment name and next link set, and compression
 * then sent the problem plain under `Content-Encoding: gzip` (undecodable: "incorrect header check"). The
 * query's ETag goes too: it names the list the problem is not (a cache revalidating the problem with it got a
 * 304 for it); a 412 sets its own after this. So does a static file's Last-Modified (its 412 for a weak ETag).
 */
function withoutRepresentation(reply: FastifyReply): void {
  reply.removeHeader('content-encoding').removeHeader('content-disposition').removeHeader('link').removeHeader('etag').removeHeader('last-modified');
}

export function registerProblemHandlers(app: FastifyInstance): MethodsAt {
  const methodsAt = routedMethods(app);
  const answerNoRoute = noRoute(methodsAt);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Fastify reads and parses a body before its not-found handler runs: a body it refused (a QUERY without
    // Content-Type, a media type no parser takes, one over the limit) was answered for, not the request no route
    // takes (a 400, 413 or 415 where the method is not served). JSON bodies are not parsed there (json-body.ts).
    if (request.is404 && isBodyRefusal(error)) return answerNoRoute(request, reply);
    withoutRepresentation(reply);
    if (error instanceof HttpProblem) {
      if (error.headers) reply.headers(error.headers);
      return sendProblem(request, reply, error.status, error.detail, error.errors);
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const errors = validationErrors(error, request);
      return sendProblem(request, reply, 400, describeErrors(errors), errors);
    }
    // A body whose client closed the connection before sending it whole (Node's "aborted", code ECONNRESET): was
    // taken for PostgreSQL unreachable, and logged at error as such. Its line is the request's (cut off).
    if (error.code === 'ECONNRESET' && request.raw.destroyed) {
      return sendProblem(request, reply, 400, 'The connection closed before the request body was received whole.');
    }
    if (isDatabaseBusy(error)) {
      request.log.warn({ err: error }, 'database busy: answered 503');
      reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
      return sendProblem(
        request,
        reply,
        503,
        'The database is busy with another write (an import, or another process holding its write lock); nothing was changed. Retry after the seconds in Retry-After.',
      );
    }
    if (isDatabaseUnreachable(error)) {
      request.log.error({ err: error }, 'database unreachable: answered 503');
      reply.header('retry-after', String(UNREACHABLE_RETRY_AFTER_SECONDS));
      return sendProblem(
        request,
        reply,
        503,
        'The database cannot be reached at the moment (restarting, or out of connections). Retry after the seconds in Retry-After.',
      );
    }
    if (isReadTimeout(error)) {
      request.log.warn({ err: error }, 'database read timed out: answered 503');
      reply.header('retry-after', String(READ_TIMEOUT_RETRY_AFTER_SECONDS));
      return sendProblem(
        request,
        reply,
        503,
        'The database took longer than its read timeout (PG_READ_TIMEOUT_MS) to answer, and the query was cancelled; nothing was changed. ' +
          'Narrow the request (more filters, a smaller limit) or retry after the seconds in Retry-After.',
      );
    }
    if (isStorageFull(error)) {
      request.log.error({ err: error }, 'database full: answered 507');
      return sendProblem(request, reply, 507, STORAGE_FULL_DETAIL);
    }
    // Without Retry-After, as PostgreSQL's refused writes below: only an operator can mend it.
    if (isDatabaseFileError(error)) {
      request.log.error({ err: error }, 'database file unusable: answered 503');
      return sendProblem(
        request,
        reply,
        503,
        'The database file cannot be read or written (made read-only, removed, damaged, or an I/O error); nothing was changed. ' +
          'An operator must mend it.',
      );
    }
    if (isWriteRefused(error)) {
      // A request that only reads (its key's last use aside, whose refusal is ignored) met a privilege refused on a read.
      const read = (request.method === 'GET' || request.method === 'HEAD') && isPrivilegeRefused(error);
      request.log.error({ err: error }, `database refused the ${read ? 'read' : 'write'}: answered 503`);
      return sendProblem(request, reply, 503, read ? READ_REFUSED_DETAIL : WRITE_REFUSED_DETAIL);
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(request, reply, 415, unsupportedMediaType(request));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(request, reply, 413, bodyTooLarge(request));
    const status = error.statusCode ?? 500;
    // A path the static file servers (/dashboard/*, /docs/static/*) will not read: a ".." segment, a NUL, "//". No
    // file is there, as /v1//recommendations is none: a 404 like it (it was 403 "Forbidden", as if one were).
    if (status === 403 && request.routeOptions.url?.endsWith('/*')) return noResource(request, reply);
    if (status === 416) return rangeNotSatisfiable(request, reply, error);
    // Our own 412s are HttpProblems: another is a static file's (`send`: /dashboard/, /dashboard/*, /docs/static/*).
    if (status === 412) return sendProblem(request, reply, 412, fileConditionFailed(request));
    if (status >= 400 && status < 500) return sendProblem(request, reply, status, error.message);
    request.log.error({ err: error }, 'request failed');
    return sendProblem(
      request,
      reply,
      status,
      `The server could not answer this request. It has been logged as request ${request.id}: quote this id (also in the X-Request-Id header) when you report it.`,
    );
  });

  app.setNotFoundHandler(answerNoRoute);
  return methodsAt;
}

const RESPONSE_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameters: every offending parameter is named in `errors`.',
  401: 'No API key, or a key that is unknown or revoked (`Authorization: Bearer <key>`); see `WWW-Authenticate`.',
  403: "The API key's scope does not allow this operation.",
  404: 'No record with this id.',
  409: 'Conflicts with a stored record (the id is taken, or other records still refer to this one).',
  410: 'The change feed no longer holds the change this `since` cursor stopped after: the data were restored from a backup taken before it. Copy the data again and follow the feed from a new position.',
  412: 'The record changed since the ETag sent in `If-Match`: fetch it again and reapply the change.',
  413: 'The request body is larger than the configured limit.',
  415: "The body's media type is not one this operation accepts: the problem's detail names those it does (see its request body).",
  422: 'Well-formed but inconsistent: an unknown reference, or fields that contradict each other; each is named in `errors`.',
  428: 'This operation needs an `If-Match` header with the ETag of the version being changed.',
  429: 'Too many requests: wait for `Retry-After` seconds (see the `RateLimit-*` headers).',
  // A write's: every operation but liveness may also be shed (src/http/openapi.ts declares that where none is).
  503: 'The database is busy with another write (nothing was changed), cannot be reached (restarting) or took longer than its read timeout (PostgreSQL: `PG_READ_TIMEOUT_MS`), or the service is overloaded (load shedding): retry after `Retry-After` seconds. Without `Retry-After`: the database refuses the service’s writes (read only, or its role lacks the privilege) or, its role lacking the privilege, its reads, or its SQLite file cannot be written or is no longer the one opened (removed, replaced, read-only: see `/readyz`), until an operator changes it.',
  507: 'The database has no room left for this write (nothing was changed): its disk is full. Retry once the service has space again.',
};

/** OpenAPI/serialization declarations of the problem responses a route can return. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: RESPONSE_DESCRIPTIONS[status] ?? TITLES[status] ?? 'Problem',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      },
    ]),
  );
}
