import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope } from '../auth/plugin.js';
import { idParams } from '../common/schemas.js';
import { bearerSecurity, ifNoneMatchHeader, registerResourceWrites } from '../curation/http.js';
import { noQueryParams } from '../http/params.js';
import { problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { recommendationDetailSchema } from './schemas.js';
import type { RecommendationWrites } from './write-store.js';
import { recommendationCreateSchema, recommendationPatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';

const themeParams = z.object({
  id: idParams.shape.id.describe('The recommendation id.'),
  themeId: z.string().min(1).max(200).describe('The theme id (see GET /v1/themes).'),
});

const themeHeaders = z.object({
  'if-match': z
    .string()
    .max(2000)
    .optional()
    .describe('Optional: the ETag of the recommendation you read; the change is refused (412) when it has changed since.'),
  'if-none-match': ifNoneMatchHeader,
});

const THEME_PROBLEMS = [400, 401, 403, 404, 412, 429, 503, 507] as const;

export const recommendationWriteRoutes: FastifyPluginAsyncZod<{ writes: RecommendationWrites }> = async (app, { writes }) => {
  registerResourceWrites(app, {
    entity: 'recommendations',
    noun: 'recommendation',
    operationNoun: 'Recommendation',
    tag: 'recommendations',
    scope: 'write',
    param: { name: 'id', schema: idParams },
    record: recommendationDetailSchema,
    createBody: recommendationCreateSchema,
    patchBody: recommendationPatchSchema,
    handlers: writes.handlers,
    createDescription:
      'Adds a recommendation with its recommending states, tags and source. Its id is the one given, else ' +
      'reviewId-paragraph when a paragraph is given (409 when taken), else a new one.',
    deleteDescription: 'Deletes a recommendation that has no assessments and no linked developments (409 otherwise).',
  });

  const themeRoute = (keep: boolean) => ({
    preParsing: requireScope('write'),
    schema: {
      operationId: keep ? 'confirmRecommendationTheme' : 'removeRecommendationTheme',
      summary: keep ? 'Confirm or add a theme of a recommendation' : 'Remove a theme from a recommendation',
      description:
        (keep
          ? 'Confirms a machine label (its source becomes curated, its confidence null), or adds the theme as a ' +
            'curated label; a label from another source stays as it is. '
          : 'Removes the theme from the recommendation, whoever gave it (e.g. a wrong machine label). ') +
        'Idempotent: repeating it changes nothing. A change is an update of the recommendation (a new version, ' +
        'audited). If-Match is optional. Needs a key with the write scope.',
      tags: ['recommendations'],
      security: bearerSecurity,
      querystring: noQueryParams,
      params: themeParams,
      headers: themeHeaders,
      response: {
        200: jsonResponse(recommendationDetailSchema, 'The recommendation as stored now, with its ETag.'),
        ...problemResponses(...THEME_PROBLEMS),
      },
    },
  });
  for (const keep of [true, false]) {
    const route = keep ? app.put.bind(app) : app.delete.bind(app);
    route('/recommendations/:id/themes/:themeId', themeRoute(keep), async (request, reply) =>
      writes.setTheme(request, reply, request.params.id, request.params.themeId, keep),
    );
  }
};

namePlugins(recommendationWriteRoutes);
