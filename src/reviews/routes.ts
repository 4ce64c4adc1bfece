import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { decodeCursor, listEnvelope, setNextLink } from '../http/pagination.js';
import { pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { getReview, listReviews } from './queries.js';
import { reviewDetailSchema, reviewFilterShape, reviewSchema } from './schemas.js';

const listQuery = z.object({ ...reviewFilterShape, ...pageParams }).strict();

export const reviewRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/reviews',
    {
      schema: {
        operationId: 'listReviews',
        summary: 'List reviews',
        description: 'Reviews of states, one per state and UPR cycle, by id.',
        tags: ['reviews'],
        querystring: listQuery,
        response: {
          200: jsonResponse(listEnvelope(reviewSchema, 'ReviewList'), 'One page of matching reviews.'),
          ...problemResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor, ...filter } = request.query;
      const page = listReviews(db, filter, limit, decodeCursor(cursor, 'id', 1));
      setNextLink(request, reply, page.nextCursor);
      return { data: page.rows, meta: { total: page.total, limit, nextCursor: page.nextCursor } };
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
        response: { 200: jsonResponse(reviewDetailSchema, 'The review.'), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const review = getReview(db, request.params.id);
      if (!review) throw notFound('Review', request.params.id);
      return review;
    },
  );
};
