import type { FastifyReply, FastifyRequest } from 'fastify';
import { sqliteWriteHandlers, updateRecord, type WriteHandlers } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { getDevelopment } from './queries.js';
import type { DevelopmentDetail } from './schemas.js';
import {
  createDevelopment,
  deleteDevelopment,
  developmentCreateSchema,
  developmentPatchSchema,
  linkRecommendation,
  updateDevelopment,
} from './writes.js';

// The seam between the developments' write routes (write-routes.ts) and a database: SQLite's handlers here,
// around writes.ts in a writeTransaction; PostgreSQL's in pg-write-store.ts. buildApp picks one.

export interface DevelopmentWrites {
  /** POST /developments, PATCH and DELETE /developments/{id}. */
  handlers: WriteHandlers;
  /** PUT (link) or DELETE of /developments/{id}/recommendations/{recommendationId}. */
  link(request: FastifyRequest, reply: FastifyReply, id: string, recommendationId: string, link: boolean): DevelopmentDetail | Promise<DevelopmentDetail>;
}

export function sqliteDevelopmentWrites(db: Db): DevelopmentWrites {
  const read = (id: string) => getDevelopment(db, id);
  return {
    handlers: sqliteWriteHandlers<typeof developmentCreateSchema, typeof developmentPatchSchema, DevelopmentDetail>(db, {
      entity: 'developments',
      param: { name: 'id' },
      read,
      create: createDevelopment,
      update: updateDevelopment,
      remove: deleteDevelopment,
    }),
    link: (request, reply, id, recommendationId, link) =>
      updateRecord(
        db,
        request,
        reply,
        (context, expected) => linkRecommendation(context, id, recommendationId, expected, link),
        () => read(id),
        { ifMatch: 'optional' },
      ),
  };
}
