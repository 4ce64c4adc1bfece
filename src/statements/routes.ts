import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams } from '../common/schemas.js';
import { notModifiedResponse } from '../http/formats.js';
import { noQueryParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { statementCsvColumns } from './csv.js';
import { defaultSort, resolveSort } from './queries.js';
import type { StatementStore } from './store.js';
import { STATEMENT_SORTS, statementFilterShape, statementSchema } from './schemas.js';
import { addListRoute } from '../http/list-route.js';
import { namePlugins } from '../http/plugin-name.js';

export const statementRoutes: FastifyPluginAsyncZod<{ store: StatementStore }> = async (app, { store }) => {
  addListRoute(app, {
    path: '/statements',
    operationId: 'listStatements',
    summary: 'List statements',
    description:
      'What states and organizations said at reviews, matching every given filter, one page at a time ' +
      '(keyset pagination) as JSON, or all of them as a streamed CSV or NDJSON export.',
    tag: 'statements',
    filterShape: statementFilterShape,
    order: {
      sorts: STATEMENT_SORTS,
      description:
        'Order: date (as recorded, then id; the default without q), id (a leading - reverses either), or relevance ' +
        '(best matches first; the default with q, which it needs).',
      default: defaultSort,
      resolve: resolveSort,
    },
    item: statementSchema,
    listId: 'StatementList',
    ndjsonItem: 'Statement',
    columns: statementCsvColumns,
    store,
  });

  app.get(
    '/statements/:id',
    {
      schema: {
        operationId: 'getStatement',
        summary: 'Get one statement',
        description: 'One statement, with its speaker, themes and source.',
        tags: ['statements'],
        params: readIdParams('statements'),
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
