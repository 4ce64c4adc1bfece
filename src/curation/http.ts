import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiKeyOf, requireScope } from '../auth/plugin.js';
import { type WriteContext, writeTransaction } from '../db/audit.js';
import type { Db } from '../db/open.js';
import { currentRevision } from '../db/revision.js';
import type { ApiKeyScope } from '../db/schema.js';
import { representationEtag, type VersionCondition } from '../http/etag.js';
import { publicPathPrefix } from '../http/pagination.js';
import { noQueryParams } from '../http/params.js';
import { HttpProblem, problemResponses, unprocessable } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { createPreconditionFailed, storedAgainstIfNoneMatch, writeCondition } from './checks.js';
import { findStoredResponse, idempotencyKeySchema, requestFingerprint, type StoredResponse, storeResponse } from './idempotency.js';

// What every write route shares: its security requirement, headers, problem statuses, and the handling of
// creates (Idempotency-Key, 201 + Location), updates and deletes (If-Match) around a write function.

export const bearerSecurity = [{ bearerAuth: [] }];

export const createHeaders = z.object({
  'idempotency-key': idempotencyKeySchema.optional(),
  'if-none-match': z
    .string()
    .max(2000)
    .optional()
    .describe(
      'Optional: * to create the record only if none is stored under its id (412 instead of 409 when one is), or ' +
        'ETags of versions of it that the create must not meet (412 when the stored one is named).',
    ),
});

/** If-None-Match on a write (RFC 9110 §13.1.2): every write but a create is to a stored record, so `*` is always a 412. */
export const ifNoneMatchHeader = z
  .string()
  .max(2000)
  .optional()
  .describe(
    'Optional: ETags (W/ or not) of versions the change must not apply to, or * (the record is stored, so the change ' +
      'is refused): 412 when the stored version is one it names.',
  );

export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .max(2000)
    .optional()
    .describe(
      'Required: the ETag of the version you are changing, from a GET or an earlier write (e.g. ' +
        '"v3-r81985529216486-i1a2b3c4d": it names the version and the record), or * for any version. 428 without it; ' +
        "412 when the record has changed since, or for another record's ETag.",
    ),
  'if-none-match': ifNoneMatchHeader,
});

export const optionalIfMatchHeaders = z.object({
  'if-match': z
    .string()
    .max(2000)
    .optional()
    .describe("Optional: the ETag of the development you read; the change is refused (412) when it has changed since, or for another record's ETag."),
  'if-none-match': ifNoneMatchHeader,
});

/** Problem statuses of each kind of write, for their OpenAPI responses. */
export const CREATE_PROBLEMS = [400, 401, 403, 409, 412, 413, 415, 422, 429, 503, 507] as const;
export const UPDATE_PROBLEMS = [400, 401, 403, 404, 412, 413, 415, 422, 428, 429, 503, 507] as const;
export const DELETE_PROBLEMS = [400, 401, 403, 404, 409, 412, 428, 429, 503, 507] as const;

/** A response without a body (204 after a delete, 304), declared for OpenAPI: a null schema has no content. */
export function emptyResponse(description: string) {
  let schema = emptyResponses.get(description);
  if (schema === undefined) emptyResponses.set(description, (schema = z.null().describe(description)));
  return schema;
}
// One per description, shared by every app built (zod schemas are immutable).
const emptyResponses = new Map<string, z.ZodNull>();

export type Versioned = { id: string; version: number };

export interface CreateSpec<T extends Versioned> {
  entity: string; // the resource name: also the URL segment of the Location
  create: (context: WriteContext) => string; // returns the new record's id
  read: (id: string) => T | undefined;
}

/**
 * The path a create's fingerprint names: its route's (`/v1/reviews`), not the URL as sent, which a retry may
 * spell otherwise (`/v1/reviews/`, `/v1/reviews?`: the same operation, refused as "a different request").
 */
export const createPath = (request: FastifyRequest): string => request.routeOptions.url!;

/** The stored answer to an Idempotency-Key, its record's id and Location: 422 when the key was used for another request. */
export function replayable(stored: StoredResponse, fingerprint: string): { id: string; location: string } {
  if (stored.requestHash !== fingerprint) {
    throw unprocessable([
      {
        in: 'header',
        name: 'idempotency-key',
        message: 'This key was used for a different request; use a new key for a new request.',
      },
    ]);
  }
  const location = stored.location!;
  return { id: decodeURIComponent(location.split('/').pop()!), location };
}

/** Replaying the 201 would tell the client a record exists that was deleted since. */
export function replayedRecordDeleted(entity: string, id: string): HttpProblem {
  return new HttpProblem(
    409,
    `The ${entity} record "${id}" created with this Idempotency-Key has been deleted since; send a new key to create it again.`,
  );
}

/** The record a write's path names (`{id}` on every write route), whose ETag If-Match must carry. */
export const recordIdOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Sets a create's 201, Location, ETag and, for a replay, Idempotency-Replayed. */
export function answerCreated(reply: FastifyReply, outcome: { location: string; body: Versioned; replayed: boolean }): void {
  reply.code(201).header('location', `${publicPathPrefix(reply.request)}${outcome.location}`).header('etag', representationEtag(outcome.body.version, JSON.stringify(outcome.body), outcome.body.id));
  if (outcome.replayed) reply.header('idempotency-replayed', 'true');
}

/** POST: creates the record in one transaction (or replays the stored answer to a retried Idempotency-Key). */
export function createRecord<T extends Versioned>(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: CreateSpec<T>,
): T {
  const key = apiKeyOf(request);
  const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
  const fingerprint = requestFingerprint(request.method, createPath(request), request.body);
  const outcome = writeTransaction(
    db,
    key.name,
    (context): { replay: { location: string; body: T } } | { created: string } => {
      const stored = idempotencyKey === undefined ? undefined : findStoredResponse(context.tx, key.id, idempotencyKey);
      if (stored) {
        const { id, location } = replayable(stored, fingerprint);
        if (spec.read(id) === undefined) throw replayedRecordDeleted(spec.entity, id);
        return { replay: { location, body: JSON.parse(stored.body) as T } };
      }
      try {
        return { created: spec.create(context) };
      } catch (error) {
        const stored = storedAgainstIfNoneMatch(error, request.headers['if-none-match']);
        throw stored ? createPreconditionFailed(stored, currentRevision(context.tx)) : error;
      }
    },
    // The new record read once the transaction has derived what it shows (its relations: a recurrence read
    // before them was none), as GET answers it.
    (made, tx) => {
      if ('replay' in made) return { ...made.replay, replayed: true };
      const body = spec.read(made.created)!;
      const location = `/v1/${spec.entity}/${encodeURIComponent(made.created)}`;
      if (idempotencyKey !== undefined) {
        storeResponse(tx, key.id, idempotencyKey, { requestHash: fingerprint, statusCode: 201, location, body: JSON.stringify(body) });
      }
      return { location, body, replayed: false };
    },
  );
  answerCreated(reply, outcome);
  return outcome.body;
}

/** PATCH (and link changes): applies the change in one transaction; answers the stored record and its ETag. */
export function updateRecord<T extends Versioned>(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  change: (context: WriteContext, expected: VersionCondition) => void,
  read: () => T | undefined,
  options: { ifMatch: 'required' | 'optional' } = { ifMatch: 'required' },
): T {
  const expected = writeCondition(request.headers, recordIdOf(request), options.ifMatch);
  writeTransaction(db, apiKeyOf(request).name, (context) => change(context, expected));
  const record = read()!;
  // The ETag a GET of the record answers (src/http/conditional.ts), so that the client's copy revalidates.
  reply.header('etag', representationEtag(record.version, JSON.stringify(record), record.id));
  return record;
}

/** DELETE: removes the record in one transaction (leaving its tombstone in the audit log); 204. */
export function deleteRecord(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  remove: (context: WriteContext, expected: VersionCondition) => void,
): FastifyReply {
  const expected = writeCondition(request.headers, recordIdOf(request));
  writeTransaction(db, apiKeyOf(request).name, (context) => remove(context, expected));
  return reply.code(204).send();
}

/** The write functions of a resource on SQLite, each run inside a writeTransaction. */
export interface SqliteWrites<Create extends z.ZodType, Patch extends z.ZodType, R extends Versioned> {
  read: (id: string) => R | undefined;
  create: (context: WriteContext, input: z.output<Create>) => string;
  update: (context: WriteContext, id: string, patch: z.output<Patch>, expected: VersionCondition) => void;
  remove: (context: WriteContext, id: string, expected: VersionCondition) => void;
}

/** The handlers of a resource's POST, PATCH and DELETE (each answers as createRecord, updateRecord, deleteRecord do). */
export interface WriteHandlers {
  create(request: FastifyRequest, reply: FastifyReply): unknown;
  update(request: FastifyRequest, reply: FastifyReply): unknown;
  remove(request: FastifyRequest, reply: FastifyReply): unknown;
}

interface WriteRoutes<Create extends z.ZodType, Patch extends z.ZodType> {
  entity: string; // the resource name in URLs: "recommendations"
  noun: string; // "recommendation"
  operationNoun: string; // "Recommendation", for operation ids
  tag: string;
  scope: ApiKeyScope;
  /** The path parameter naming a record: `id`, or `code` for states. */
  param: { name: string; schema: z.ZodObject };
  record: z.ZodType; // the response: what GET of one record answers
  createBody: Create;
  patchBody: Patch;
  createDescription: string;
  deleteDescription: string;
}

/** A resource's write routes: its SQLite write functions, or handlers of the backend's own (src/db/backend.ts). */
export type ResourceWrites<Create extends z.ZodType, Patch extends z.ZodType, R extends Versioned> = WriteRoutes<Create, Patch> &
  (SqliteWrites<Create, Patch, R> | { handlers: WriteHandlers });

/** The handlers of a resource's writes on SQLite, around its write functions. */
export function sqliteWriteHandlers<Create extends z.ZodType, Patch extends z.ZodType, R extends Versioned>(
  db: Db,
  spec: { entity: string; param: { name: string } } & SqliteWrites<Create, Patch, R>,
): WriteHandlers {
  const idOf = (request: FastifyRequest) => (request.params as Record<string, string>)[spec.param.name]!;
  return {
    create: (request, reply) =>
      createRecord(db, request, reply, {
        entity: spec.entity,
        create: (context) => spec.create(context, request.body as z.output<Create>),
        read: spec.read,
      }),
    update: (request, reply) =>
      updateRecord(
        db,
        request,
        reply,
        (context, expected) => spec.update(context, idOf(request), request.body as z.output<Patch>, expected),
        () => spec.read(idOf(request)),
      ),
    remove: (request, reply) => deleteRecord(db, request, reply, (context, expected) => spec.remove(context, idOf(request), expected)),
  };
}

/** POST /{entity}, PATCH and DELETE /{entity}/{id}: the write routes of one resource. */
export function registerResourceWrites<Create extends z.ZodType, Patch extends z.ZodType, R extends Versioned>(
  app: FastifyInstance,
  spec: ResourceWrites<Create, Patch, R>,
): void {
  const scope = spec.scope === 'admin' ? 'the admin scope' : 'the write scope';
  const path = `/${spec.entity}/:${spec.param.name}`;
  const handlers = 'handlers' in spec ? spec.handlers : sqliteWriteHandlers(app.db, spec);

  app.post(
    `/${spec.entity}`,
    {
      preParsing: requireScope(spec.scope),
      schema: {
        operationId: `create${spec.operationNoun}`,
        summary: `Create ${article(spec.noun)} ${spec.noun}`,
        description: `${spec.createDescription} Needs a key with ${scope}. Send an Idempotency-Key to retry safely.`,
        tags: [spec.tag],
        security: bearerSecurity,
        querystring: noQueryParams,
        headers: createHeaders,
        body: spec.createBody,
        response: {
          201: jsonResponse(spec.record, 'Created: the stored record, with its ETag and its Location.'),
          ...problemResponses(...CREATE_PROBLEMS),
        },
      },
    },
    async (request, reply) => handlers.create(request, reply),
  );

  app.patch(
    path,
    {
      preParsing: requireScope(spec.scope),
      schema: {
        operationId: `update${spec.operationNoun}`,
        summary: `Change ${article(spec.noun)} ${spec.noun}`,
        description:
          'Changes the fields given (a JSON merge patch: a field given replaces the stored one, lists are replaced ' +
          `whole), as one new version. Needs If-Match and a key with ${scope}.`,
        tags: [spec.tag],
        security: bearerSecurity,
        querystring: noQueryParams,
        consumes: ['application/json', 'application/merge-patch+json'],
        params: spec.param.schema,
        headers: ifMatchHeaders,
        body: spec.patchBody,
        response: {
          200: jsonResponse(spec.record, 'Changed: the stored record, with its new ETag.'),
          ...problemResponses(...UPDATE_PROBLEMS),
        },
      },
    },
    async (request, reply) => handlers.update(request, reply),
  );

  app.delete(
    path,
    {
      preParsing: requireScope(spec.scope),
      schema: {
        operationId: `delete${spec.operationNoun}`,
        summary: `Delete ${article(spec.noun)} ${spec.noun}`,
        description: `${spec.deleteDescription} Its history keeps a tombstone. Needs If-Match and a key with ${scope}.`,
        tags: [spec.tag],
        security: bearerSecurity,
        querystring: noQueryParams,
        params: spec.param.schema,
        headers: ifMatchHeaders,
        response: { 204: emptyResponse('Deleted; its history keeps a tombstone.'), ...problemResponses(...DELETE_PROBLEMS) },
      },
    },
    async (request, reply) => handlers.remove(request, reply),
  );
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}
