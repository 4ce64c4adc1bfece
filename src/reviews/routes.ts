import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { noQueryParams, pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { reviewCsvColumns } from './csv.js';
import type { ReviewStore } from './store.js';
import { reviewDetailSchema, reviewFilterShape, reviewSchema } from './schemas.js';
import { namePlugins } from '../http/plugin-name.js';

const listQuery = z.object({ ...reviewFilterShape, ...pageParams, ...formatParams() }).strict();

export const reviewRoutes: FastifyPluginAsyncZod<{ store: ReviewStore }> = async (app, { store }) => {
  app.get(
    '/reviews',
    {
      schema: {
        operationId: 'listReviews',
        summary: 'List reviews',
        description:
          'Reviews of states, one per state and UPR cycle, by id: one page at a time as JSON, or all of them as ' +
          'a streamed CSV or NDJSON export.',
        tags: ['reviews'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(reviewSchema, 'ReviewList'),
            'One page of matching reviews (JSON), or the export of all of them (CSV, NDJSON).',
            reviewCsvColumns,
            'Review',
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: ['json', 'csv', 'ndjson'] } },
    },
    async (request, reply) => {
      const { limit, cursor, format: _, bom, ...filter } = request.query;
      const after = decodeCursor(cursor, 'id', ['text']);
      return store.list(request, reply, { filter, sort: { name: 'id' }, after, limit, bom }) as never;
    },
  );

  app.get(
    '/reviews/:id',
    {
      schema: {
        operationId: 'getReview',
        summary: 'Get one review',
        description: 'A review with its recommendations counted by position and by implementation status.',
        tags: ['reviews'],
        params: idParams,
        querystring: noQueryParams,
        response: {
          200: jsonResponse(reviewDetailSchema, 'The review.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const review = await store.get(request.params.id);
      if (!review) throw notFound('Review', request.params.id);
      return sendRecord(app.db, request, reply, review);
    },
  );
};

namePlugins(reviewRoutes);
