import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { noQueryParams } from '../http/params.js';
import { sendRecord } from '../http/conditional.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { emptyResponse } from '../curation/http.js';
import { getAssessment } from './queries.js';
import { assessmentRecordSchema } from './schemas.js';

// Assessments are listed with their recommendation (GET /v1/recommendations/{id}); each also has its own URL,
// the target of its writes and of its history.

export const assessmentRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
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
      const record = getAssessment(db, request.params.id);
      if (!record) throw notFound('Assessment', request.params.id);
      return sendRecord(db, request, reply, record);
    },
  );
};
