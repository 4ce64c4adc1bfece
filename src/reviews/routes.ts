import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams } from '../common/schemas.js';
import { notModifiedResponse } from '../http/formats.js';
import { noQueryParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { reviewCsvColumns } from './csv.js';
import type { ReviewStore } from './store.js';
import { reviewDetailSchema, reviewFilterShape, reviewSchema } from './schemas.js';
import { addListRoute } from '../http/list-route.js';
import { namePlugins } from '../http/plugin-name.js';

export const reviewRoutes: FastifyPluginAsyncZod<{ store: ReviewStore }> = async (app, { store }) => {
  addListRoute(app, {
    path: '/reviews',
    operationId: 'listReviews',
    summary: 'List reviews',
    description:
      'Reviews of states, one per state and UPR cycle, by id: one page at a time as JSON, or all of them as ' +
      'a streamed CSV or NDJSON export.',
    tag: 'reviews',
    filterShape: reviewFilterShape,
    order: { name: 'id', kinds: ['text'] },
    item: reviewSchema,
    listId: 'ReviewList',
    ndjsonItem: 'Review',
    columns: reviewCsvColumns,
    store,
  });

  app.get(
    '/reviews/:id',
    {
      schema: {
        operationId: 'getReview',
        summary: 'Get one review',
        description: 'A review with its recommendations counted by position and by implementation status.',
        tags: ['reviews'],
        params: readIdParams('reviews'),
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
