import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams } from '../common/schemas.js';
import { notModifiedResponse } from '../http/formats.js';
import { noQueryParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { developmentCsvColumns } from './csv.js';
import { resolveSort } from './queries.js';
import type { DevelopmentStore } from './store.js';
import {
  DEVELOPMENT_SORTS,
  developmentDetailSchema,
  developmentFilterShape,
  developmentSchema,
} from './schemas.js';
import { addListRoute } from '../http/list-route.js';
import { namePlugins } from '../http/plugin-name.js';

export const developmentRoutes: FastifyPluginAsyncZod<{ store: DevelopmentStore }> = async (app, { store }) => {
  addListRoute(app, {
    path: '/developments',
    operationId: 'listDevelopments',
    summary: 'List developments',
    description:
      'Dated, sourced developments matching every given filter, one page at a time (keyset pagination) as ' +
      'JSON, or all of them as a streamed CSV or NDJSON export.',
    tag: 'developments',
    filterShape: developmentFilterShape,
    order: {
      sorts: DEVELOPMENT_SORTS,
      description: 'Order: date (first day of the period, then id; the default) or id; a leading - reverses.',
      default: 'date',
      resolve: resolveSort,
    },
    item: developmentSchema,
    listId: 'DevelopmentList',
    ndjsonItem: 'Development',
    columns: developmentCsvColumns,
    store,
  });

  app.get(
    '/developments/:id',
    {
      schema: {
        operationId: 'getDevelopment',
        summary: 'Get one development',
        description: 'The full record, with the recommendations it bears on.',
        tags: ['developments'],
        params: readIdParams('developments'),
        querystring: noQueryParams,
        response: {
          200: jsonResponse(developmentDetailSchema, 'The development.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const record = await store.get(request.params.id);
      if (!record) throw notFound('Development', request.params.id);
      return sendRecord(app.db, request, reply, record);
    },
  );
};

namePlugins(developmentRoutes);
