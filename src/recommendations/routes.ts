import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readIdParams } from '../common/schemas.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { listParam, noQueryParams, pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRepresentation } from '../http/conditional.js';
import { representationEtag } from '../http/etag.js';
import { jsonResponse } from '../http/responses.js';
import { recommendationCsvColumns } from './csv.js';
import { INCLUDE_PER_RECORD, INCLUDES, recommendationListItemSchema } from './include.js';
import { resolveSort } from './queries.js';
import {
  RECOMMENDATION_SORTS,
  recommendationDetailSchema,
  recommendationFilterShape,
} from './schemas.js';
import type { RecommendationStore } from './store.js';
import { namePlugins } from '../http/plugin-name.js';

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

export const recommendationRoutes: FastifyPluginAsyncZod<{ store: RecommendationStore }> = async (app, { store }) => {
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
      const { sort: requested, limit, cursor, format: _, bom, include, ...filter } = request.query;
      const sort = resolveSort(requested, filter);
      const after = decodeCursor(cursor, sort.name, sort.kinds);
      // The store answers: a JSON page (the body it returns, or sent) or a streamed export.
      return store.list(request, reply, { filter, sort, after, limit, bom, include }) as never;
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
        params: readIdParams('recommendations'),
        querystring: noQueryParams,
        response: {
          200: jsonResponse(recommendationDetailSchema, 'The recommendation.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const record = await store.get(request.params.id);
      if (!record) throw notFound('Recommendation', request.params.id);
      const json = JSON.stringify(record);
      return sendRepresentation(request, reply, json, representationEtag(record.version, json, record.id));
    },
  );
};

namePlugins(recommendationRoutes);
