import type pg from 'pg';
import { pgCreateRecord, pgDeleteRecord, pgUpdateRecord } from '../curation/pg-http.js';
import { pgGetDevelopment } from './pg-queries.js';
import { pgCreateDevelopment, pgDeleteDevelopment, pgLinkRecommendation, pgUpdateDevelopment } from './pg-writes.js';
import type { DevelopmentWrites } from './write-store.js';
import type { DevelopmentCreate, DevelopmentPatch } from './writes.js';

// The developments' writes on PostgreSQL (write-store.ts): pg-writes.ts in a pgWriteTransaction, the answer
// read as GET reads it.

export function pgDevelopmentWrites(pool: pg.Pool): DevelopmentWrites {
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;
  return {
    handlers: {
      create: (request, reply) =>
        pgCreateRecord(pool, request, reply, {
          entity: 'developments',
          create: (context) => pgCreateDevelopment(context, request.body as DevelopmentCreate),
          read: pgGetDevelopment,
        }),
      update: (request, reply) =>
        pgUpdateRecord(
          pool,
          request,
          reply,
          (context, expected) => pgUpdateDevelopment(context, idOf(request), request.body as DevelopmentPatch, expected),
          () => pgGetDevelopment(pool, idOf(request)),
        ),
      remove: (request, reply) => pgDeleteRecord(pool, request, reply, (context, expected) => pgDeleteDevelopment(context, idOf(request), expected)),
    },
    link: (request, reply, id, recommendationId, link) =>
      pgUpdateRecord(
        pool,
        request,
        reply,
        (context, expected) => pgLinkRecommendation(context, id, recommendationId, expected, link),
        () => pgGetDevelopment(pool, id),
        { ifMatch: 'optional' },
      ),
  };
}
