import type { FastifyPluginAsync } from 'fastify';
import { reviewIdParams } from '../common/schemas.js';
import { registerResourceWrites, type WriteHandlers } from '../curation/http.js';
import { reviewDetailSchema } from './schemas.js';
import { reviewCreateSchema, reviewPatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';

export const reviewWriteRoutes: FastifyPluginAsync<{ writes: WriteHandlers }> = async (app, { writes }) => {
  registerResourceWrites(app, {
    entity: 'reviews',
    noun: 'review',
    operationNoun: 'Review',
    tag: 'reviews',
    scope: 'admin',
    param: { name: 'id', schema: reviewIdParams },
    record: reviewDetailSchema,
    createBody: reviewCreateSchema,
    patchBody: reviewPatchSchema,
    handlers: writes,
    createDescription: 'Adds the review of a state in a UPR cycle; its id is the state code and the cycle (409 when taken).',
    deleteDescription: 'Deletes a review that no recommendation, development or statement refers to (409 otherwise).',
  });
};

namePlugins(reviewWriteRoutes);
