import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { noQueryParams, pageParams } from '../http/params.js';
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
import { namePlugins } from '../http/plugin-name.js';

const listQuery = z
  .object({
    ...developmentFilterShape,
    sort: z
      .enum(DEVELOPMENT_SORTS)
      .optional()
      .describe('Order: date (first day of the period, then id; the default) or id; a leading - reverses.'),
    ...pageParams,
    ...formatParams(),
  })
  .strict();

export const developmentRoutes: FastifyPluginAsyncZod<{ store: DevelopmentStore }> = async (app, { store }) => {
  app.get(
    '/developments',
    {
      schema: {
        operationId: 'listDevelopments',
        summary: 'List developments',
        description:
          'Dated, sourced developments matching every given filter, one page at a time (keyset pagination) as ' +
          'JSON, or all of them as a streamed CSV or NDJSON export.',
        tags: ['developments'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(developmentSchema, 'DevelopmentList'),
            'One page of matching developments (JSON), or the export of all of them (CSV, NDJSON).',
            developmentCsvColumns,
            'Development',
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: ['json', 'csv', 'ndjson'], defaults: (q) => ({ sort: q.sort ?? 'date' }) } },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, format: _, bom, ...filter } = request.query;
      const sort = resolveSort(requested);
      const after = decodeCursor(cursor, sort.name, sort.kinds);
      return store.list(request, reply, { filter, sort, after, limit, bom }) as never;
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
