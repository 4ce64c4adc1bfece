import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope } from '../auth/plugin.js';
import { idParams } from '../common/schemas.js';
import { bearerSecurity, optionalIfMatchHeaders, registerResourceWrites, updateRecord } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { noQueryParams } from '../http/params.js';
import { problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { getDevelopment } from './queries.js';
import { developmentDetailSchema } from './schemas.js';
import {
  createDevelopment,
  deleteDevelopment,
  developmentCreateSchema,
  developmentPatchSchema,
  linkRecommendation,
  updateDevelopment,
} from './writes.js';

const linkParams = z.object({
  id: idParams.shape.id.describe('The development id.'),
  recommendationId: z.string().min(1).max(200).describe('The recommendation id.'),
});

const LINK_PROBLEMS = [400, 401, 403, 404, 412, 422, 429, 503] as const;

export const developmentWriteRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const read = (id: string) => getDevelopment(db, id);

  registerResourceWrites(app, {
    entity: 'developments',
    noun: 'development',
    operationNoun: 'Development',
    tag: 'developments',
    scope: 'write',
    param: { name: 'id', schema: idParams },
    record: developmentDetailSchema,
    createBody: developmentCreateSchema,
    patchBody: developmentPatchSchema,
    read,
    create: createDevelopment,
    update: updateDevelopment,
    remove: deleteDevelopment,
    createDescription:
      'Adds a dated, sourced development and the recommendations it bears on. Sources are given inline and ' +
      'stored by URL.',
    deleteDescription: 'Deletes a development and its links (its sources stay).',
  });

  const linkRoute = (link: boolean) => ({
    preParsing: requireScope('write'),
    schema: {
      operationId: link ? 'linkDevelopmentRecommendation' : 'unlinkDevelopmentRecommendation',
      summary: link ? 'Link a development to a recommendation' : 'Unlink a development from a recommendation',
      description:
        (link
          ? 'Records that the development bears on the recommendation (one made to the same state). '
          : 'Removes the link between the development and the recommendation. ') +
        'Idempotent: repeating it changes nothing. A change is an update of the development (a new version, ' +
        'audited). If-Match is optional. Needs a key with the write scope.',
      tags: ['developments'],
      security: bearerSecurity,
      querystring: noQueryParams,
      params: linkParams,
      headers: optionalIfMatchHeaders,
      response: {
        200: jsonResponse(developmentDetailSchema, 'The development as stored now, with its ETag.'),
        ...problemResponses(...LINK_PROBLEMS),
      },
    },
  });

  app.put('/developments/:id/recommendations/:recommendationId', linkRoute(true), async (request, reply) =>
    updateRecord(
      db,
      request,
      reply,
      (context, expected) => linkRecommendation(context, request.params.id, request.params.recommendationId, expected, true),
      () => read(request.params.id),
      { ifMatch: 'optional' },
    ),
  );

  app.delete('/developments/:id/recommendations/:recommendationId', linkRoute(false), async (request, reply) =>
    updateRecord(
      db,
      request,
      reply,
      (context, expected) => linkRecommendation(context, request.params.id, request.params.recommendationId, expected, false),
      () => read(request.params.id),
      { ifMatch: 'optional' },
    ),
  );
};
