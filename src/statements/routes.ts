import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { decodeCursor, listEnvelope, setNextLink } from '../http/pagination.js';
import { pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { getStatement, listStatements, resolveSort } from './queries.js';
import { STATEMENT_SORTS, statementFilterShape, statementSchema } from './schemas.js';

const listQuery = z
  .object({
    ...statementFilterShape,
    sort: z
      .enum(STATEMENT_SORTS)
      .optional()
      .describe('Order: date (as recorded, then id; the default); a leading - reverses.'),
    ...pageParams,
  })
  .strict();

export const statementRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/statements',
    {
      schema: {
        operationId: 'listStatements',
        summary: 'List statements',
        description:
          'What states and organizations said at reviews, matching every given filter, one page at a time ' +
          '(keyset pagination).',
        tags: ['statements'],
        querystring: listQuery,
        response: {
          200: jsonResponse(listEnvelope(statementSchema, 'StatementList'), 'One page of matching statements.'),
          ...problemResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, ...filter } = request.query;
      const sort = resolveSort(requested);
      const page = listStatements(db, filter, sort, limit, decodeCursor(cursor, sort.name, sort.columns.length));
      setNextLink(request, reply, page.nextCursor);
      return { data: page.rows, meta: { total: page.total, limit, nextCursor: page.nextCursor } };
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
        response: { 200: jsonResponse(statementSchema, 'The statement.'), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const record = getStatement(db, request.params.id);
      if (!record) throw notFound('Statement', request.params.id);
      return record;
    },
  );
};
