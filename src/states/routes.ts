import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/open.js';
import { decodeCursor, listEnvelope, setNextLink } from '../http/pagination.js';
import { pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { getState, listStates } from './queries.js';
import { stateDetailSchema, stateFilterShape, stateSchema } from './schemas.js';

const listQuery = z.object({ ...stateFilterShape, ...pageParams }).strict();

const codeParams = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code, e.g. KGZ')
    .transform((code) => code.toUpperCase())
    .describe('ISO 3166-1 alpha-3 code (case-insensitive).'),
});

export const stateRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/states',
    {
      schema: {
        operationId: 'listStates',
        summary: 'List states',
        description: 'The 193 UN member states and 2 observer states, by ISO code.',
        tags: ['states'],
        querystring: listQuery,
        response: {
          200: jsonResponse(listEnvelope(stateSchema, 'StateList'), 'One page of matching states.'),
          ...problemResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor, ...filter } = request.query;
      const page = listStates(db, filter, limit, decodeCursor(cursor, 'code', 1));
      setNextLink(request, reply, page.nextCursor);
      return { data: page.rows, meta: { total: page.total, limit, nextCursor: page.nextCursor } };
    },
  );

  app.get(
    '/states/:code',
    {
      schema: {
        operationId: 'getState',
        summary: 'Get one state',
        description: 'A state with its name variants and how many recommendations it made and received, by position.',
        tags: ['states'],
        params: codeParams,
        response: { 200: jsonResponse(stateDetailSchema, 'The state.'), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const state = getState(db, request.params.code);
      if (!state) throw notFound('State', request.params.code);
      return state;
    },
  );
};
