import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { decodeCursor, listEnvelope, setNextLink } from '../http/pagination.js';
import { pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { getRecommendation, listRecommendations, resolveSort } from './queries.js';
import {
  RECOMMENDATION_SORTS,
  recommendationDetailSchema,
  recommendationFilterShape,
  recommendationSchema,
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
    ...pageParams,
  })
  .strict();

export const recommendationRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/recommendations',
    {
      schema: {
        operationId: 'listRecommendations',
        summary: 'List recommendations',
        description: 'Recommendations matching every given filter, one page at a time (keyset pagination).',
        tags: ['recommendations'],
        querystring: listQuery,
        response: {
          200: jsonResponse(listEnvelope(recommendationSchema, 'RecommendationList'), 'One page of matching recommendations.'),
          ...problemResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, ...filter } = request.query;
      const sort = resolveSort(requested, filter);
      const page = listRecommendations(db, filter, sort, limit, decodeCursor(cursor, sort.name, sort.columns.length));
      setNextLink(request, reply, page.nextCursor);
      return { data: page.rows, meta: { total: page.total, limit, nextCursor: page.nextCursor } };
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
        response: { 200: jsonResponse(recommendationDetailSchema, 'The recommendation.'), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const record = getRecommendation(db, request.params.id);
      if (!record) throw notFound('Recommendation', request.params.id);
      return record;
    },
  );
};
