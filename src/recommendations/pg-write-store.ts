import type pg from 'pg';
import { pgCreateRecord, pgDeleteRecord, pgUpdateRecord } from '../curation/pg-http.js';
import { machineTagger } from '../tagging/tagger.js';
import { pgTagRecommendation } from '../tagging/pg-apply.js';
import { pgGetRecommendation } from './pg-queries.js';
import { pgCreateRecommendation, pgDeleteRecommendation, pgSetThemeLabel, pgUpdateRecommendation } from './pg-writes.js';
import type { RecommendationWrites } from './write-store.js';
import type { RecommendationCreate, RecommendationPatch } from './writes.js';

// The recommendations' writes on PostgreSQL (write-store.ts): pg-writes.ts in a pgWriteTransaction, machine
// labels given as on SQLite (a create, a new text), the answer read from the stored documents.

export function pgRecommendationWrites(pool: pg.Pool): RecommendationWrites {
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;
  return {
    handlers: {
      create: (request, reply) =>
        pgCreateRecord(pool, request, reply, {
          entity: 'recommendations',
          create: async (context) => {
            const id = await pgCreateRecommendation(context, request.body as RecommendationCreate);
            const tagger = machineTagger();
            if (tagger !== null) await pgTagRecommendation(context, tagger, id);
            return id;
          },
          read: pgGetRecommendation,
        }),
      update: (request, reply) =>
        pgUpdateRecord(
          pool,
          request,
          reply,
          async (context, expected) => {
            const patch = request.body as RecommendationPatch;
            const before = await context.tx.query<{ text: string }>('select text from recommendations where id = $1', [idOf(request)]);
            await pgUpdateRecommendation(context, idOf(request), patch, expected);
            const tagger = machineTagger();
            if (tagger !== null && patch.themes === undefined && patch.text !== undefined && patch.text !== before.rows[0]?.text) {
              await pgTagRecommendation(context, tagger, idOf(request));
            }
          },
          (client) => pgGetRecommendation(client, idOf(request)),
        ),
      remove: (request, reply) => pgDeleteRecord(pool, request, reply, (context, expected) => pgDeleteRecommendation(context, idOf(request), expected)),
    },
    setTheme: (request, reply, id, themeId, keep) =>
      pgUpdateRecord(
        pool,
        request,
        reply,
        (context, expected) => pgSetThemeLabel(context, id, themeId, expected, keep),
        (client) => pgGetRecommendation(client, id),
        { ifMatch: 'optional' },
      ),
  };
}
