import type pg from 'pg';
import { KnownTotals } from '../db/pg/known-totals.js';
import { pgLabelled, pgSnapshot } from '../db/pg/query.js';
import { STORED_CHUNK_ROWS } from '../http/export.js';
import { answerAsyncList } from '../http/stored-list.js';
import { recommendationCsvColumns } from './csv.js';
import { urlCellAround } from './documents.js';
import { checkInclude } from './include.js';
import { pgSendWithIncludes } from './pg-include.js';
import { type DocumentLine, pgDocumentChunks, pgGetRecommendation, pgJsonPage, pgPageDocuments } from './pg-queries.js';
import type { RecommendationStore } from './store.js';

// The recommendations on PostgreSQL (src/recommendations/store.ts): the stored documents, read through
// pg-queries.ts and answered by src/http/stored-list.ts.

function lineOf(format: 'csv' | 'ndjson', origin: string): DocumentLine {
  return format === 'csv' ? { csv: urlCellAround(origin) } : format;
}

export function pgRecommendationStore(pool: pg.Pool): RecommendationStore {
  // meta.total of each filter, with the revision it was counted at: a walk's next pages count nothing.
  const totals = new KnownTotals();
  return {
    list(request, reply, { filter, sort, after, limit, bom, include }) {
      const included = checkInclude(request, include);
      if (included) return pgSendWithIncludes(pool, request, reply, included, { filter, sort, after, limit, totals });
      return answerAsyncList(request, reply, {
        resource: 'recommendations',
        bom,
        columns: recommendationCsvColumns as never,
        sortName: sort.name,
        after,
        limit,
        documents: {
          page: (format, origin, n, keys) => pgLabelled(pool, (client) => pgPageDocuments(client, filter, sort, lineOf(format, origin), n, keys, totals)),
          jsonPage: async (n, keys) => {
            const page = await pgJsonPage(pool, filter, sort, n, keys, totals);
            return { body: Buffer.from(page.docs.join(',')), nextKeys: page.nextKeys, total: page.total, stamp: page.stamp };
          },
          chunks: (format, origin, keys) =>
            pgDocumentChunks(pool, filter, sort, lineOf(format, origin) as Exclude<DocumentLine, 'json'>, keys, STORED_CHUNK_ROWS, totals),
        },
      });
    },
    // The document, its assessments and developments: one snapshot (src/db/pg/query.ts).
    get: (id) => pgSnapshot(pool, (client) => pgGetRecommendation(client, id)),
  };
}
