import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readStateIdParams } from '../common/schemas.js';
import { notModifiedResponse } from '../http/formats.js';
import { noQueryParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { sendRecord } from '../http/conditional.js';
import { jsonResponse } from '../http/responses.js';
import { stateCsvColumns } from './csv.js';
import type { StateStore } from './store.js';
import { stateDetailSchema, stateFilterShape, stateSchema } from './schemas.js';
import { addListRoute } from '../http/list-route.js';
import { namePlugins } from '../http/plugin-name.js';


export const stateRoutes: FastifyPluginAsyncZod<{ store: StateStore }> = async (app, { store }) => {
  addListRoute(app, {
    path: '/states',
    operationId: 'listStates',
    summary: 'List states',
    description:
      'The 193 UN member states and 2 observer states, by ISO code: one page at a time as JSON, or all of ' +
      'them as CSV or NDJSON.',
    tag: 'states',
    filterShape: stateFilterShape,
    order: { name: 'code', kinds: ['text'] },
    item: stateSchema,
    listId: 'StateList',
    ndjsonItem: 'State',
    columns: stateCsvColumns,
    store,
  });

  app.get(
    '/states/:id',
    {
      schema: {
        operationId: 'getState',
        summary: 'Get one state',
        description: 'A state with its name variants and how many recommendations it made and received, by position.',
        tags: ['states'],
        params: readStateIdParams,
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
