import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { apiKeyOf } from '../auth/plugin.js';
import type { Queryable } from '../db/pg/query.js';
import { type PgWriteContext, pgWriteTransaction } from '../db/pg/write-transaction.js';
import { representationEtag, type VersionCondition } from '../http/etag.js';
import { createPreconditionFailed, storedAgainstIfNoneMatch, writeCondition } from './checks.js';
import { answerCreated, createPath, recordIdOf, replayable, replayedRecordDeleted, type Versioned, type WriteHandlers } from './http.js';
import { requestFingerprint } from './idempotency.js';
import { pgCurrentRevision, pgFindStoredResponse, pgStoreResponse } from './pg-records.js';

// http.ts's createRecord, updateRecord and deleteRecord on PostgreSQL: the same answers, around a
// pgWriteTransaction; Idempotency-Keys are stored in the database, so a retry reaching another instance is
// answered alike.

type Pool = Pick<pg.Pool, 'connect' | 'query'>;

export interface PgCreateSpec<T extends Versioned> {
  entity: string;
  create: (context: PgWriteContext) => Promise<string>;
  /** The record as GET answers it, read through `client` (the write's transaction, its documents rebuilt). */
  read: (client: Queryable, id: string) => Promise<T | undefined>;
}

/** POST: creates the record in one transaction (or replays the stored answer to a retried Idempotency-Key). */
export async function pgCreateRecord<T extends Versioned>(pool: Pool, request: FastifyRequest, reply: FastifyReply, spec: PgCreateSpec<T>): Promise<T> {
  const key = apiKeyOf(request);
  const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
  const fingerprint = requestFingerprint(request.method, createPath(request), request.body);
  const outcome = await pgWriteTransaction(pool, key.name, async (context) => {
    const stored = idempotencyKey === undefined ? undefined : await pgFindStoredResponse(context.tx, key.id, idempotencyKey);
    if (stored) {
      const { id, location } = replayable(stored, fingerprint);
      if ((await spec.read(context.tx, id)) === undefined) throw replayedRecordDeleted(spec.entity, id);
      return { location, body: JSON.parse(stored.body) as T, replayed: true };
    }
    const id = await spec.create(context).catch(async (error: unknown) => {
      const stored = storedAgainstIfNoneMatch(error, request.headers['if-none-match']);
      throw stored ? createPreconditionFailed(stored, await pgCurrentRevision(context.tx)) : error;
    });
    await context.freshen();
    const body = (await spec.read(context.tx, id))!;
    const location = `/v1/${spec.entity}/${encodeURIComponent(id)}`;
    if (idempotencyKey !== undefined) {
      await pgStoreResponse(context.tx, key.id, idempotencyKey, { requestHash: fingerprint, statusCode: 201, location, body: JSON.stringify(body) });
    }
    return { location, body, replayed: false };
  });
  answerCreated(reply, outcome);
  return outcome.body;
}

/** PATCH (and link changes): applies the change in one transaction; answers the stored record and its ETag. */
export async function pgUpdateRecord<T extends Versioned>(
  pool: Pool,
  request: FastifyRequest,
  reply: FastifyReply,
  change: (context: PgWriteContext, expected: VersionCondition) => Promise<void>,
  read: (client: Queryable) => Promise<T | undefined>,
  options: { ifMatch: 'required' | 'optional' } = { ifMatch: 'required' },
): Promise<T> {
  const expected = writeCondition(request.headers, recordIdOf(request), options.ifMatch);
  // The record as this write left it, read in its transaction (as pgCreateRecord does): read after the commit, it
  // was another write's when one came between (a DELETE's: undefined, a 500).
  const record = await pgWriteTransaction(pool, apiKeyOf(request).name, async (context) => {
    await change(context, expected);
    await context.freshen();
    return (await read(context.tx))!;
  });
  reply.header('etag', representationEtag(record.version, JSON.stringify(record), record.id));
  return record;
}

/** DELETE: removes the record in one transaction (leaving its tombstone in the audit log); 204. */
export async function pgDeleteRecord(
  pool: Pool,
  request: FastifyRequest,
  reply: FastifyReply,
  remove: (context: PgWriteContext, expected: VersionCondition) => Promise<void>,
): Promise<FastifyReply> {
  const expected = writeCondition(request.headers, recordIdOf(request));
  await pgWriteTransaction(pool, apiKeyOf(request).name, (context) => remove(context, expected));
  return reply.code(204).send();
}

/** A resource's record writes on PostgreSQL, as pgWriteHandlers wires them to its routes. */
export interface PgRecordWrites<Create, Patch, T extends Versioned> {
  entity: string;
  create(context: PgWriteContext, input: Create): Promise<string>;
  update(context: PgWriteContext, id: string, patch: Patch, expected: VersionCondition): Promise<unknown>;
  remove(context: PgWriteContext, id: string, expected: VersionCondition): Promise<void>;
  /** The record as GET answers it, read through `client`: the pool, or the write's transaction. */
  read(client: Queryable, id: string): Promise<T | undefined>;
}

/** POST, PATCH and DELETE of one resource (the route's `id` names the record): sqliteWriteHandlers' counterpart. */
export function pgWriteHandlers<Create, Patch, T extends Versioned>(pool: Pool, spec: PgRecordWrites<Create, Patch, T>): WriteHandlers {
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  return {
    create: (request, reply) =>
      pgCreateRecord(pool, request, reply, {
        entity: spec.entity,
        create: (context) => spec.create(context, request.body as Create),
        read: spec.read,
      }),
    update: (request, reply) =>
      pgUpdateRecord(
        pool,
        request,
        reply,
        async (context, expected) => {
          await spec.update(context, idOf(request), request.body as Patch, expected);
        },
        (client) => spec.read(client, idOf(request)),
      ),
    remove: (request, reply) => pgDeleteRecord(pool, request, reply, (context, expected) => spec.remove(context, idOf(request), expected)),
  };
}
