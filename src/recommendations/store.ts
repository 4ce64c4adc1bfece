import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/open.js';
import type { KeysetSort } from '../db/keyset.js';
import { answerList, readLabelled } from '../http/export.js';
import type { KeyValue } from '../http/pagination.js';
import { recommendationCsvColumns } from './csv.js';
import { freshenDocuments, urlCellAround } from './documents.js';
import { checkInclude, type Include, sendWithIncludes, SQLITE_INCLUDE, sqliteIncludeReader } from './include.js';
import { documentChunks, getRecommendation, listTotal, pageBody, pageDocuments, pageRecommendations } from './queries.js';
import type { RecommendationDetail, RecommendationFilter } from './schemas.js';

// The seam between the recommendations' routes and a database: the routes validate and decode, then ask the
// store; a store per backend answers. SQLite's (here) calls the synchronous query functions of queries.ts;
// PostgreSQL's is src/recommendations/pg-store.ts. buildApp picks one from the configuration.

/** A list request, validated: the filter, the resolved sort, the decoded cursor. */
export interface RecommendationListRequest {
  filter: RecommendationFilter;
  /** The sort; its name picks the backend's columns (SQLite's are `columns`). */
  sort: KeysetSort<never>;
  after: KeyValue[] | undefined;
  limit: number;
  bom: boolean | undefined;
  include: readonly Include[] | undefined;
}

export interface RecommendationStore {
  /** Answers GET /v1/recommendations: a JSON page of the stored documents, or their CSV/NDJSON export. */
  list(request: FastifyRequest, reply: FastifyReply, query: RecommendationListRequest): unknown;
  /** One recommendation with its assessments and developments, or undefined. */
  get(id: string): Promise<RecommendationDetail | undefined>;
}

export function sqliteRecommendationStore(db: Db): RecommendationStore {
  return {
    list(request, reply, { filter, sort: keysetSort, after, limit, bom, include: requested }) {
      const sort = keysetSort as Parameters<typeof pageRecommendations>[2];
      const include = checkInclude(request, requested);
      freshenDocuments(db);
      if (include) {
        const [page, total] = readLabelled(request, db, () => [pageDocuments(db, filter, sort, limit, after), listTotal(db, filter)] as const);
        return sendWithIncludes(request, reply, { dialect: SQLITE_INCLUDE, all: sqliteIncludeReader(db) }, include, page, { sortName: sort.name, limit, total });
      }
      return answerList(request, reply, db, {
        resource: 'recommendations',
        bom,
        columns: recommendationCsvColumns,
        sortName: sort.name,
        after,
        limit,
        page: (from, n, keys) => pageRecommendations(from, filter, sort, n, keys),
        stored: {
          page: (from, n, keys, envelope) => pageBody(from, filter, sort, n, keys, envelope),
          chunks: (from, format, origin, keys, rows) =>
            documentChunks(from, filter, sort, keys, format === 'csv' ? { csv: urlCellAround(origin) } : 'ndjson', rows),
        },
        total: () => listTotal(db, filter),
      });
    },
    get: async (id) => getRecommendation(db, id),
  };
}
