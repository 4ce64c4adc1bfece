import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { registerResourceWrites, type WriteHandlers } from '../curation/http.js';
import { stateIdParams } from '../common/schemas.js';
import { stateDetailSchema } from './schemas.js';
import { stateCreateSchema, statePatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';


export const stateWriteRoutes: FastifyPluginAsync<{ writes: WriteHandlers }> = async (app, { writes }) => {
  registerResourceWrites(app, {
    entity: 'states',
    noun: 'state',
    operationNoun: 'State',
    tag: 'states',
    scope: 'admin',
    param: { name: 'id', schema: stateIdParams },
    record: stateDetailSchema,
    createBody: stateCreateSchema,
    patchBody: statePatchSchema,
    handlers: writes,
    createDescription: 'Adds a state (or observer) with the spellings of its name found in UN documents.',
    deleteDescription: 'Deletes a state that no review, recommendation, development or statement refers to (409 otherwise).',
  });
};

namePlugins(stateWriteRoutes);
