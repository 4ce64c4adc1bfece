import type { FastifyPluginAsync } from 'fastify';
import { idParams } from '../common/schemas.js';
import { registerResourceWrites, type WriteHandlers } from '../curation/http.js';
import { assessmentRecordSchema } from './schemas.js';
import { assessmentCreateSchema, assessmentPatchSchema } from './writes.js';
import { namePlugins } from '../http/plugin-name.js';

// The assessments' writes: the backend's handlers (writes.ts's sqliteAssessmentWrites, pg-writes.ts's).

export const assessmentWriteRoutes: FastifyPluginAsync<{ writes: WriteHandlers }> = async (app, { writes }) => {
  registerResourceWrites(app, {
    entity: 'assessments',
    noun: 'assessment',
    operationNoun: 'Assessment',
    tag: 'assessments',
    scope: 'write',
    param: { name: 'id', schema: idParams },
    record: assessmentRecordSchema,
    createBody: assessmentCreateSchema,
    patchBody: assessmentPatchSchema,
    handlers: writes,
    createDescription:
      "Records a sourced judgement of a recommendation's implementation at a date; the latest one is the " +
      "recommendation's current status.",
    deleteDescription: 'Deletes an assessment.',
  });
};

namePlugins(assessmentWriteRoutes);
