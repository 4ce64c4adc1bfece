import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { registerResourceWrites, type WriteHandlers } from '../curation/http.js';
import { stateDetailSchema } from './schemas.js';
import { stateCreateSchema, statePatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';

const idParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code, e.g. KGZ')
    .meta({ maxLength: 3 }) // the pattern allows exactly 3 characters
    .transform((code) => code.toUpperCase())
    .describe('ISO 3166-1 alpha-3 code (case-insensitive).'),
});

export const stateWriteRoutes: FastifyPluginAsync<{ writes: WriteHandlers }> = async (app, { writes }) => {
  registerResourceWrites(app, {
    entity: 'states',
    noun: 'state',
    operationNoun: 'State',
    tag: 'states',
    scope: 'admin',
    param: { name: 'id', schema: idParams },
    record: stateDetailSchema,
    createBody: stateCreateSchema,
    patchBody: statePatchSchema,
    handlers: writes,
    createDescription: 'Adds a state (or observer) with the spellings of its name found in UN documents.',
    deleteDescription: 'Deletes a state that no review, recommendation, development or statement refers to (409 otherwise).',
  });
};

namePlugins(stateWriteRoutes);
