import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { noQueryParams, pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { stateCsvColumns } from './csv.js';
import type { StateStore } from './store.js';
import { stateDetailSchema, stateFilterShape, stateSchema } from './schemas.js';
import { namePlugins } from '../http/plugin-name.js';

const listQuery = z.object({ ...stateFilterShape, ...pageParams, ...formatParams() }).strict();

const idParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code, e.g. KGZ')
    .meta({ maxLength: 3 }) // the pattern allows exactly 3 characters
    .transform((code) => code.toUpperCase())
    .describe('ISO 3166-1 alpha-3 code (case-insensitive).'),
});

export const stateRoutes: FastifyPluginAsyncZod<{ store: StateStore }> = async (app, { store }) => {
  app.get(
    '/states',
    {
      schema: {
        operationId: 'listStates',
        summary: 'List states',
        description:
          'The 193 UN member states and 2 observer states, by ISO code: one page at a time as JSON, or all of ' +
          'them as CSV or NDJSON.',
        tags: ['states'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(stateSchema, 'StateList'),
            'One page of matching states (JSON), or the export of all of them (CSV, NDJSON).',
            stateCsvColumns,
            'State',
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: ['json', 'csv', 'ndjson'] } },
    },
    async (request, reply) => {
      const { limit, cursor, format: _, bom, ...filter } = request.query;
      const after = decodeCursor(cursor, 'code', ['text']);
      return store.list(request, reply, { filter, sort: { name: 'code' }, after, limit, bom }) as never;
    },
  );

  app.get(
    '/states/:id',
    {
      schema: {
        operationId: 'getState',
        summary: 'Get one state',
        description: 'A state with its name variants and how many recommendations it made and received, by position.',
        tags: ['states'],
        params: idParams,
        querystring: noQueryParams,
        response: {
          200: jsonResponse(stateDetailSchema, 'The state.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const state = await store.get(request.params.id);
      if (!state) throw notFound('State', request.params.id);
      return sendRecord(app.db, request, reply, state);
    },
  );
};

namePlugins(stateRoutes);
