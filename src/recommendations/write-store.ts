import type { FastifyReply, FastifyRequest } from 'fastify';
import { sqliteWriteHandlers, updateRecord, type WriteHandlers } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { tagRecommendations } from '../tagging/apply.js';
import { setThemeLabel } from '../tagging/curation.js';
import { machineTagger } from '../tagging/tagger.js';
import { getRecommendation } from './queries.js';
import type { RecommendationDetail } from './schemas.js';
import {
  createRecommendation,
  deleteRecommendation,
  recommendationCreateSchema,
  recommendationPatchSchema,
  updateRecommendation,
} from './writes.js';

// The seam between the recommendations' write routes (write-routes.ts) and a database: SQLite's handlers
// here, around writes.ts in a writeTransaction; PostgreSQL's in pg-write-store.ts. buildApp picks one.

type Maybe<T> = T | Promise<T>;

export interface RecommendationWrites {
  /** POST /recommendations, PATCH and DELETE /recommendations/{id}. */
  handlers: WriteHandlers;
  /** PUT (keep) or DELETE of /recommendations/{id}/themes/{themeId}. */
  setTheme(request: FastifyRequest, reply: FastifyReply, id: string, themeId: string, keep: boolean): Maybe<RecommendationDetail>;
}

export function sqliteRecommendationWrites(db: Db): RecommendationWrites {
  return {
    handlers: sqliteWriteHandlers<typeof recommendationCreateSchema, typeof recommendationPatchSchema, RecommendationDetail>(db, {
      entity: 'recommendations',
      param: { name: 'id' },
      read: (id) => getRecommendation(db, id),
      // A recommendation created without a upr-info label gets machine labels in the same transaction.
      create: (context, input) => {
        const id = createRecommendation(context, input);
        const tagger = machineTagger();
        if (tagger !== null) tagRecommendations(db, tagger, { ids: [id] });
        return id;
      },
      // A new text: its machine labels are given again (curated and imported ones stay as they are). A PATCH of
      // themes sets them whole, so it is not tagged after, even with a new text.
      update: (context, id, patch, expected) => {
        const textBefore = db.$client.prepare('select text from recommendations where id = ?').pluck().get(id);
        updateRecommendation(context, id, patch, expected);
        const tagger = machineTagger();
        if (tagger !== null && patch.themes === undefined && patch.text !== undefined && patch.text !== textBefore) tagRecommendations(db, tagger, { ids: [id] });
      },
      remove: deleteRecommendation,
    }),
    setTheme: (request, reply, id, themeId, keep) =>
      updateRecord(
        db,
        request,
        reply,
        (context, expected) => setThemeLabel(context, id, themeId, expected, keep),
        () => getRecommendation(db, id),
        { ifMatch: 'optional' },
      ),
  };
}
