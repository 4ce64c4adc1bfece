import type { FastifyPluginAsync } from 'fastify';
import { idParams } from '../common/schemas.js';
import { registerResourceWrites } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { getAssessment } from './queries.js';
import { assessmentRecordSchema } from './schemas.js';
import {
  assessmentCreateSchema,
  assessmentPatchSchema,
  createAssessment,
  deleteAssessment,
  updateAssessment,
} from './writes.js';

export const assessmentWriteRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
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
    read: (id) => getAssessment(db, id),
    create: createAssessment,
    update: updateAssessment,
    remove: deleteAssessment,
    createDescription:
      "Records a sourced judgement of a recommendation's implementation at a date; the latest one is the " +
      "recommendation's current status.",
    deleteDescription: 'Deletes an assessment.',
  });
};
