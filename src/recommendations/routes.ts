import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { answerList } from '../http/export.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { listParam, noQueryParams, pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { recommendationCsvColumns } from './csv.js';
import { freshenDocuments, urlCellAround } from './documents.js';
import { checkInclude, INCLUDE_PER_RECORD, INCLUDES, recommendationListItemSchema, sendWithIncludes } from './include.js';
import { documentChunks, getRecommendation, listTotal, pageBody, pageDocuments, pageRecommendations, resolveSort } from './queries.js';
import {
  RECOMMENDATION_SORTS,
  recommendationDetailSchema,
  recommendationFilterShape,
} from './schemas.js';

const listQuery = z
  .object({
    ...recommendationFilterShape,
    sort: z
      .enum(RECOMMENDATION_SORTS)
      .optional()
      .describe(
        'Order: paragraph (review, then paragraph number as printed; the default), updatedAt, id, or relevance ' +
          '(the default with q); a leading - reverses.',
      ),
    include: listParam(
      z.enum(INCLUDES),
      `JSON only: embed in each record its assessments (newest first, with assessmentCount) and/or the ` +
        `developments that bear on it (oldest first), at most ${INCLUDE_PER_RECORD} of each per record; a ` +
        'review page then needs one request. An export refuses it (400).',
    ),
    ...pageParams,
    ...formatParams(),
  })
  .strict();

export const recommendationRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/recommendations',
    {
      schema: {
        operationId: 'listRecommendations',
        summary: 'List recommendations',
        description:
          'Recommendations matching every given filter, one page at a time (keyset pagination) as JSON, or all ' +
          'of them as a streamed CSV or NDJSON export (`Accept: text/csv` or `?format=csv`).',
        tags: ['recommendations'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(recommendationListItemSchema, 'RecommendationList'),
            'One page of matching recommendations (JSON), or the export of all of them (CSV, NDJSON).',
            recommendationCsvColumns,
            'Recommendation',
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: {
        queryCache: {
          formats: ['json', 'csv', 'ndjson'],
          defaults: (q) => ({ sort: q.sort ?? (q.q === undefined ? 'paragraph' : 'relevance') }),
        },
      },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, format: _, bom, include: requestedInclude, ...filter } = request.query;
      const sort = resolveSort(requested, filter);
      const after = decodeCursor(cursor, sort.name, sort.columns.length);
      const include = checkInclude(request, requestedInclude);
      freshenDocuments(db);
      if (include) {
        const page = pageDocuments(db, filter, sort, limit, after);
        return sendWithIncludes(request, reply, db, include, page, { sortName: sort.name, limit, total: listTotal(db, filter) });
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
  );

  app.get(
    '/recommendations/:id',
    {
      schema: {
        operationId: 'getRecommendation',
        summary: 'Get one recommendation',
        description: 'The full record: recommending states, themes, assessment history and linked developments.',
        tags: ['recommendations'],
        params: idParams,
        querystring: noQueryParams,
        response: {
          200: jsonResponse(recommendationDetailSchema, 'The recommendation.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const record = getRecommendation(db, request.params.id);
      if (!record) throw notFound('Recommendation', request.params.id);
      return sendRecord(db, request, reply, record);
    },
  );
};
