import type { FastifyPluginAsync } from 'fastify';
import { idParams } from '../common/schemas.js';
import { registerResourceWrites } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { getStatement } from './queries.js';
import { statementSchema } from './schemas.js';
import {
  createStatement,
  deleteStatement,
  statementCreateSchema,
  statementPatchSchema,
  updateStatement,
} from './writes.js';

export const statementWriteRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
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
    read: (id) => getStatement(db, id),
    create: createStatement,
    update: updateStatement,
    remove: deleteStatement,
    createDescription: 'Records what a state or an organization said at a review, with its source.',
    deleteDescription: 'Deletes a statement.',
  });
};
