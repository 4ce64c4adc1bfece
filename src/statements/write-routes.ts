import type { FastifyPluginAsync } from 'fastify';
import { idParams } from '../common/schemas.js';
import { registerResourceWrites } from '../curation/http.js';
import { statementSchema } from './schemas.js';
import type { StatementWrites } from './write-store.js';
import { statementCreateSchema, statementPatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';

export const statementWriteRoutes: FastifyPluginAsync<{ writes: StatementWrites }> = async (app, { writes }) => {
  registerResourceWrites(app, {
    entity: 'statements',
    noun: 'statement',
    operationNoun: 'Statement',
    tag: 'statements',
    scope: 'write',
    param: { name: 'id', schema: idParams },
    record: statementSchema,
    createBody: statementCreateSchema,
    patchBody: statementPatchSchema,
    handlers: writes.handlers,
    createDescription: 'Records what a state or an organization said at a review, with its source.',
    deleteDescription: 'Deletes a statement.',
  });
};

namePlugins(statementWriteRoutes);
