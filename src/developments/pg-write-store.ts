import type pg from 'pg';
import { pgUpdateRecord, pgWriteHandlers } from '../curation/pg-http.js';
import { pgGetDevelopment } from './pg-queries.js';
import { pgCreateDevelopment, pgDeleteDevelopment, pgLinkRecommendation, pgUpdateDevelopment } from './pg-writes.js';
import type { DevelopmentWrites } from './write-store.js';
import type { DevelopmentCreate, DevelopmentPatch } from './writes.js';

// The developments' writes on PostgreSQL (write-store.ts): pg-writes.ts in a pgWriteTransaction, the answer
// read as GET reads it.

export function pgDevelopmentWrites(pool: pg.Pool): DevelopmentWrites {
  return {
    handlers: pgWriteHandlers<DevelopmentCreate, DevelopmentPatch, NonNullable<Awaited<ReturnType<typeof pgGetDevelopment>>>>(pool, {
      entity: 'developments',
      create: pgCreateDevelopment,
      update: pgUpdateDevelopment,
      remove: pgDeleteDevelopment,
      read: pgGetDevelopment,
    }),
    link: (request, reply, id, recommendationId, link) =>
      pgUpdateRecord(
        pool,
        request,
        reply,
        (context, expected) => pgLinkRecommendation(context, id, recommendationId, expected, link),
        (client) => pgGetDevelopment(client, id),
        { ifMatch: 'optional' },
      ),
  };
}
