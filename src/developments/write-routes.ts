import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope } from '../auth/plugin.js';
import { idParams } from '../common/schemas.js';
import { bearerSecurity, optionalIfMatchHeaders, registerResourceWrites } from '../curation/http.js';
import { noQueryParams } from '../http/params.js';
import { problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { developmentDetailSchema } from './schemas.js';
import type { DevelopmentWrites } from './write-store.js';
import { developmentCreateSchema, developmentPatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';

const linkParams = z.object({
  id: idParams.shape.id.describe('The development id.'),
  recommendationId: z.string().min(1).max(200).describe('The recommendation id.'),
});

const LINK_PROBLEMS = [400, 401, 403, 404, 412, 422, 429, 503, 507] as const;

export const developmentWriteRoutes: FastifyPluginAsyncZod<{ writes: DevelopmentWrites }> = async (app, { writes }) => {
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
    handlers: writes.handlers,
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
    writes.link(request, reply, request.params.id, request.params.recommendationId, true),
  );

  app.delete('/developments/:id/recommendations/:recommendationId', linkRoute(false), async (request, reply) =>
    writes.link(request, reply, request.params.id, request.params.recommendationId, false),
  );
};

namePlugins(developmentWriteRoutes);
