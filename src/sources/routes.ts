import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams, sourceSchema } from '../common/schemas.js';
import { sendRepresentation } from '../http/conditional.js';
import { representationEtag } from '../http/etag.js';
import { notModifiedResponse } from '../http/formats.js';
import { noQueryParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { sourceCsvColumns } from './csv.js';
import { resolveSort } from './queries.js';
import type { SourceStore } from './store.js';
import { CITATIONS_PER_KIND, SOURCE_SORTS, sourceDetailSchema, sourceFilterShape } from './schemas.js';
import { addListRoute } from '../http/list-route.js';
import { namePlugins } from '../http/plugin-name.js';

export const sourceRoutes: FastifyPluginAsyncZod<{ store: SourceStore }> = async (app, { store }) => {
  addListRoute(app, {
    path: '/sources',
    operationId: 'listSources',
    summary: 'List sources',
    description:
      'The documents and pages that recommendations, positions, assessments, developments, statements and ' +
      'reviews cite, one page at a time (keyset pagination) as JSON, or all of them as a CSV or NDJSON export.',
    tag: 'sources',
    filterShape: sourceFilterShape,
    order: { sorts: SOURCE_SORTS, description: 'Order: id (the default); a leading - reverses.', default: 'id', resolve: resolveSort },
    item: sourceSchema,
    listId: 'SourceList',
    ndjsonItem: 'Source',
    columns: sourceCsvColumns,
    store,
  });

  app.get(
    '/sources/:id',
    {
      schema: {
        operationId: 'getSource',
        summary: 'Get one source, with what cites it',
        description:
          `The source, and what cites it by kind: how many records, and the ids of the first ${CITATIONS_PER_KIND} ` +
          '(sorted). The lists give them all with their `source` filter: GET /v1/recommendations?source={id} (the ' +
          'positions among them), /v1/assessments?source={id}, /v1/developments?source={id} and /v1/statements?source={id}.',
        tags: ['sources'],
        params: readIdParams('sources'),
        querystring: noQueryParams,
        response: {
          200: jsonResponse(sourceDetailSchema, 'The source and what cites it.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const source = await store.get(request.params.id);
      if (!source) throw notFound('Source', request.params.id);
      // Sources have no version of their own (they change only through the writes that cite them): the ETag
      // is version 1 and a digest of what the response shows.
      const json = JSON.stringify(source);
      return sendRepresentation(request, reply, json, representationEtag(1, json));
    },
  );
};

namePlugins(sourceRoutes);
