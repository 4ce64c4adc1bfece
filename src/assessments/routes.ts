import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams } from '../common/schemas.js';
import { noQueryParams } from '../http/params.js';
import { sendRecord } from '../http/conditional.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { emptyResponse } from '../curation/http.js';
import { assessmentCsvColumns } from './csv.js';
import { resolveSort } from './list-queries.js';
import { ASSESSMENT_SORTS, assessmentFilterShape, assessmentItemSchema, assessmentRecordSchema } from './schemas.js';
import type { AssessmentStore } from './store.js';
import { addListRoute } from '../http/list-route.js';
import { namePlugins } from '../http/plugin-name.js';

// Assessments are listed with their recommendation (GET /v1/recommendations/{id}) and on their own
// (GET /v1/assessments, with exports); each also has its own URL, the target of its writes and of its history.

export const assessmentRoutes: FastifyPluginAsyncZod<{ store: AssessmentStore }> = async (app, { store }) => {
  addListRoute(app, {
    path: '/assessments',
    operationId: 'listAssessments',
    summary: 'List assessments',
    description:
      "Judgements of recommendations' implementation matching every given filter, with their rationale and " +
      'sources, one page at a time (keyset pagination) as JSON, or all of them as a streamed CSV or NDJSON export.',
    tag: 'assessments',
    filterShape: assessmentFilterShape,
    order: {
      sorts: ASSESSMENT_SORTS,
      description: 'Order: assessedOn (then id; the default) or id; a leading - reverses.',
      default: 'assessedOn',
      resolve: resolveSort,
    },
    item: assessmentItemSchema,
    listId: 'AssessmentList',
    ndjsonItem: 'AssessmentItem',
    columns: assessmentCsvColumns,
    store,
  });

  app.get(
    '/assessments/:id',
    {
      schema: {
        operationId: 'getAssessment',
        summary: 'Get one assessment',
        description: "A judgement of a recommendation's implementation, by a source, at a date.",
        tags: ['assessments'],
        params: readIdParams('assessments'),
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
