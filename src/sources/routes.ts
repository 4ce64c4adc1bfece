import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, sourceSchema } from '../common/schemas.js';
import { sendRepresentation } from '../http/conditional.js';
import { representationEtag } from '../http/etag.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { noQueryParams, pageParams } from '../http/params.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { sourceCsvColumns } from './csv.js';
import { resolveSort } from './queries.js';
import type { SourceStore } from './store.js';
import { CITATIONS_PER_KIND, SOURCE_SORTS, sourceDetailSchema, sourceFilterShape } from './schemas.js';
import { namePlugins } from '../http/plugin-name.js';

const listQuery = z
  .object({
    ...sourceFilterShape,
    sort: z.enum(SOURCE_SORTS).optional().describe('Order: id (the default); a leading - reverses.'),
    ...pageParams,
    ...formatParams(),
  })
  .strict();

export const sourceRoutes: FastifyPluginAsyncZod<{ store: SourceStore }> = async (app, { store }) => {
  app.get(
    '/sources',
    {
      schema: {
        operationId: 'listSources',
        summary: 'List sources',
        description:
          'The documents and pages that recommendations, positions, assessments, developments, statements and ' +
          'reviews cite, one page at a time (keyset pagination) as JSON, or all of them as a CSV or NDJSON export.',
        tags: ['sources'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(sourceSchema, 'SourceList'),
            'One page of matching sources (JSON), or the export of all of them (CSV, NDJSON).',
            sourceCsvColumns,
            'Source',
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: ['json', 'csv', 'ndjson'], defaults: (q) => ({ sort: q.sort ?? 'id' }) } },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, format: _, bom, ...filter } = request.query;
      const sort = resolveSort(requested);
      const after = decodeCursor(cursor, sort.name, sort.kinds);
      return store.list(request, reply, { filter, sort, after, limit, bom }) as never;
    },
  );

  app.get(
    '/sources/:id',
    {
      schema: {
        operationId: 'getSource',
        summary: 'Get one source, with what cites it',
        description:
          `The source, and what cites it by kind: how many records, and the ids of the first ${CITATIONS_PER_KIND} ` +
          '(sorted). Filter the lists to see more: e.g. GET /v1/assessments?recommendationId=… .',
        tags: ['sources'],
        params: idParams,
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
