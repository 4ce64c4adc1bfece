import type { FastifyPluginAsync } from 'fastify';
import { idParams } from '../common/schemas.js';
import { registerResourceWrites } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { getReview } from './queries.js';
import { reviewDetailSchema } from './schemas.js';
import { createReview, deleteReview, reviewCreateSchema, reviewPatchSchema, updateReview } from './writes.js';

export const reviewWriteRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  registerResourceWrites(app, {
    entity: 'reviews',
    noun: 'review',
    operationNoun: 'Review',
    tag: 'reviews',
    scope: 'admin',
    param: { name: 'id', schema: idParams },
    record: reviewDetailSchema,
    createBody: reviewCreateSchema,
    patchBody: reviewPatchSchema,
    read: (id) => getReview(db, id),
    create: createReview,
    update: updateReview,
    remove: deleteReview,
    createDescription: 'Adds the review of a state in a UPR cycle; its id is the state code and the cycle (409 when taken).',
    deleteDescription: 'Deletes a review that no recommendation, development or statement refers to (409 otherwise).',
  });
};
