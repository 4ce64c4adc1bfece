import type { FastifyPluginAsync } from 'fastify';
import { idParams } from '../common/schemas.js';
import { registerResourceWrites } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { getRecommendation } from './queries.js';
import { recommendationDetailSchema } from './schemas.js';
import {
  createRecommendation,
  deleteRecommendation,
  recommendationCreateSchema,
  recommendationPatchSchema,
  updateRecommendation,
} from './writes.js';

export const recommendationWriteRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
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
    read: (id) => getRecommendation(db, id),
    create: createRecommendation,
    update: updateRecommendation,
    remove: deleteRecommendation,
    createDescription:
      'Adds a recommendation with its recommending states, tags and source. Its id is the one given, else ' +
      'reviewId-paragraph when a paragraph is given (409 when taken), else a new one.',
    deleteDescription: 'Deletes a recommendation that has no assessments and no linked developments (409 otherwise).',
  });
};
