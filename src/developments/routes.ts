import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { decodeCursor, listEnvelope, setNextLink } from '../http/pagination.js';
import { pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { getDevelopment, listDevelopments, resolveSort } from './queries.js';
import {
  DEVELOPMENT_SORTS,
  developmentDetailSchema,
  developmentFilterShape,
  developmentSchema,
} from './schemas.js';

const listQuery = z
  .object({
    ...developmentFilterShape,
    sort: z
      .enum(DEVELOPMENT_SORTS)
      .optional()
      .describe('Order: date (first day of the period, then id; the default) or id; a leading - reverses.'),
    ...pageParams,
  })
  .strict();

export const developmentRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/developments',
    {
      schema: {
        operationId: 'listDevelopments',
        summary: 'List developments',
        description:
          'Dated, sourced developments matching every given filter, one page at a time (keyset pagination).',
        tags: ['developments'],
        querystring: listQuery,
        response: {
          200: jsonResponse(listEnvelope(developmentSchema, 'DevelopmentList'), 'One page of matching developments.'),
          ...problemResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, ...filter } = request.query;
      const sort = resolveSort(requested);
      const page = listDevelopments(db, filter, sort, limit, decodeCursor(cursor, sort.name, sort.columns.length));
      setNextLink(request, reply, page.nextCursor);
      return { data: page.rows, meta: { total: page.total, limit, nextCursor: page.nextCursor } };
    },
  );

  app.get(
    '/developments/:id',
    {
      schema: {
        operationId: 'getDevelopment',
        summary: 'Get one development',
        description: 'The full record, with the recommendations it bears on.',
        tags: ['developments'],
        params: idParams,
        response: { 200: jsonResponse(developmentDetailSchema, 'The development.'), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const record = getDevelopment(db, request.params.id);
      if (!record) throw notFound('Development', request.params.id);
      return record;
    },
  );
};
