import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../common/schemas.js';
import { formatParams, listResponse, notModifiedResponse } from '../http/formats.js';
import { decodeCursor, listEnvelope } from '../http/pagination.js';
import { noQueryParams, pageParams } from '../http/params.js';
import { sendRecord } from '../http/conditional.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { emptyResponse } from '../curation/http.js';
import { assessmentCsvColumns } from './csv.js';
import { resolveSort } from './list-queries.js';
import { ASSESSMENT_SORTS, assessmentFilterShape, assessmentItemSchema, assessmentRecordSchema } from './schemas.js';
import type { AssessmentStore } from './store.js';
import { namePlugins } from '../http/plugin-name.js';

// Assessments are listed with their recommendation (GET /v1/recommendations/{id}) and on their own
// (GET /v1/assessments, with exports); each also has its own URL, the target of its writes and of its history.

const listQuery = z
  .object({
    ...assessmentFilterShape,
    sort: z
      .enum(ASSESSMENT_SORTS)
      .optional()
      .describe('Order: assessedOn (then id; the default) or id; a leading - reverses.'),
    ...pageParams,
    ...formatParams(),
  })
  .strict();

export const assessmentRoutes: FastifyPluginAsyncZod<{ store: AssessmentStore }> = async (app, { store }) => {
  app.get(
    '/assessments',
    {
      schema: {
        operationId: 'listAssessments',
        summary: 'List assessments',
        description:
          "Judgements of recommendations' implementation matching every given filter, with their rationale and " +
          'sources, one page at a time (keyset pagination) as JSON, or all of them as a streamed CSV or NDJSON export.',
        tags: ['assessments'],
        querystring: listQuery,
        response: {
          200: listResponse(
            listEnvelope(assessmentItemSchema, 'AssessmentList'),
            'One page of matching assessments (JSON), or the export of all of them (CSV, NDJSON).',
            assessmentCsvColumns,
            'AssessmentItem',
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: ['json', 'csv', 'ndjson'], defaults: (q) => ({ sort: q.sort ?? 'assessedOn' }) } },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, format: _, bom, ...filter } = request.query;
      const sort = resolveSort(requested);
      const after = decodeCursor(cursor, sort.name, sort.kinds);
      return store.list(request, reply, { filter, sort, after, limit, bom }) as never;
    },
  );

  app.get(
    '/assessments/:id',
    {
      schema: {
        operationId: 'getAssessment',
        summary: 'Get one assessment',
        description: "A judgement of a recommendation's implementation, by a source, at a date.",
        tags: ['assessments'],
        params: idParams,
        querystring: noQueryParams,
        response: {
          200: jsonResponse(assessmentRecordSchema, 'The assessment.'),
          304: emptyResponse('Not modified: the ETag sent in If-None-Match is current.'),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const record = await store.get(request.params.id);
      if (!record) throw notFound('Assessment', request.params.id);
      return sendRecord(app.db, request, reply, record);
    },
  );
};

namePlugins(assessmentRoutes);
