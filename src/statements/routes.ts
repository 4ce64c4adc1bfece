import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { noQueryParams, pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { statementCsvColumns } from './csv.js';
import { resolveSort } from './queries.js';
import type { StatementStore } from './store.js';
import { STATEMENT_SORTS, statementFilterShape, statementSchema } from './schemas.js';
import { namePlugins } from '../http/plugin-name.js';

const listQuery = z
  .object({
    ...statementFilterShape,
    sort: z
      .enum(STATEMENT_SORTS)
      .optional()
      .describe('Order: date (as recorded, then id; the default); a leading - reverses.'),
    ...pageParams,
    ...formatParams(),
  })
  .strict();

export const statementRoutes: FastifyPluginAsyncZod<{ store: StatementStore }> = async (app, { store }) => {
  app.get(
    '/statements',
    {
      schema: {
        operationId: 'listStatements',
        summary: 'List statements',
        description:
          'What states and organizations said at reviews, matching every given filter, one page at a time ' +
          '(keyset pagination) as JSON, or all of them as a streamed CSV or NDJSON export.',
        tags: ['statements'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(statementSchema, 'StatementList'),
            'One page of matching statements (JSON), or the export of all of them (CSV, NDJSON).',
            statementCsvColumns,
            'Statement',
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
    '/statements/:id',
    {
      schema: {
        operationId: 'getStatement',
        summary: 'Get one statement',
        description: 'One statement, with its speaker, themes and source.',
        tags: ['statements'],
        params: idParams,
        querystring: noQueryParams,
        response: {
          200: jsonResponse(statementSchema, 'The statement.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const record = await store.get(request.params.id);
      if (!record) throw notFound('Statement', request.params.id);
      return sendRecord(app.db, request, reply, record);
    },
  );
};

namePlugins(statementRoutes);
