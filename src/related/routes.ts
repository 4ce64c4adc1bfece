import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams } from '../common/schemas.js';
import { notModifiedResponse } from '../http/formats.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { answeredAt } from '../http/cache.js';
import type { RelatedStore } from './queries.js';
import { relatedListSchema, relatedQuery } from './schemas.js';
import { namePlugins } from '../http/plugin-name.js';

export const relatedRoutes: FastifyPluginAsyncZod<{ store: RelatedStore }> = async (app, { store }) => {
  app.get(
    '/recommendations/:id/related',
    {
      schema: {
        operationId: 'getRelatedRecommendations',
        summary: 'Recommendations like this one, across cycles',
        description:
          'Recommendations to the same state under review whose text is most like this one, most similar first: ' +
          'the same request made in an earlier cycle (`relation: earlier`), again later, or by others in the same ' +
          'cycle. Similarity is a TF-IDF cosine over normalised text in which treaty and body names are one term ' +
          'whatever their wording ("OP-CAT", "the Optional Protocol to the Convention against Torture").',
        tags: ['recommendations'],
        params: readIdParams('recommendations'),
        querystring: relatedQuery,
        response: {
          200: jsonResponse(relatedListSchema, 'The related recommendations.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
      config: { queryCache: {} },
    },
    async (request) => {
      const related = await store.related(request.params.id, request.query, (stamp) => answeredAt(request, stamp));
      if (!related) throw notFound('Recommendation', request.params.id);
      return related;
    },
  );
};

namePlugins(relatedRoutes);
