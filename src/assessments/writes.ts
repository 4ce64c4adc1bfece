import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { sqliteWriteHandlers, type WriteHandlers } from '../curation/http.js';
import type { Tx, WriteContext } from '../db/audit.js';
import type { Db } from '../db/open.js';
import { assessments, IMPLEMENTATION_STATUSES } from '../db/schema.js';
import { notFound } from '../http/problem.js';
import { calendarDate } from '../http/params.js';
import { checkDate, checkReferences, checkVersion, Inconsistencies, REFERENCES } from '../curation/checks.js';
import { claimRecordId, newRecordId, recordIdSchema } from '../curation/ids.js';
import { auditCreate, deleteAudited, finishUpdate, type Snapshot, type VersionedTable } from '../curation/records.js';
import { oneSourceList, SOURCE_EXAMPLE, upsertSource } from '../curation/sources.js';
import { getAssessment } from './queries.js';
import { visible } from '../http/visible-text.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting assessments: each function runs inside a writeTransaction.

export const ASSESSMENT_TABLE: VersionedTable = { entity: 'assessments', table: 'assessments', idColumn: 'id', hasUpdatedAt: true };
export const ASSESSMENT_ID_TABLE = { table: 'assessments', column: 'id', what: 'Assessment' };
const TABLE = ASSESSMENT_TABLE;
const ID_TABLE = ASSESSMENT_ID_TABLE;

const fields = {
  recommendationId: visible(z.string().min(1).max(200)).describe('The recommendation judged.'),
  status: z.enum(IMPLEMENTATION_STATUSES),
  assessedOn: calendarDate.describe('The date the judgement holds for (YYYY-MM-DD), not in the future.'),
  rationale: z.string().trim().min(1).max(5_000).describe('Why, in your own words, as the source supports it.'),
  sources: oneSourceList(1, 'The source of the judgement: one.'),
};

export const assessmentCreateSchema = z
  .strictObject({ id: recordIdSchema.optional(), ...fields })
  .meta({
    id: 'AssessmentCreate',
    example: {
      recommendationId: 'KGZ-3-FIN-1',
      status: 'not_implemented',
      assessedOn: '2020-09-28',
      rationale: 'The government took no action to release Askarov; he died in custody on 25 July 2020.',
      sources: [SOURCE_EXAMPLE],
    },
  });

export const assessmentPatchSchema = z
  .strictObject({
    recommendationId: fields.recommendationId.optional(),
    status: fields.status.optional(),
    assessedOn: fields.assessedOn.optional(),
    rationale: fields.rationale.optional(),
    sources: fields.sources.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change')
  .meta({
    id: 'AssessmentPatch',
    description: 'The fields to change (JSON merge patch).',
    example: { assessedOn: '2020-09-28' },
  });

export type AssessmentCreate = z.output<typeof assessmentCreateSchema>;
export type AssessmentPatch = z.output<typeof assessmentPatchSchema>;

type Reader = Pick<Tx, 'get' | 'all'>;

export function assessmentSnapshot(tx: Reader, id: string): Snapshot | undefined {
  return tx.get<Snapshot | undefined>(sql`select recommendation_id as recommendationId, status, assessed_on as assessedOn,
      rationale, source_id as sourceId, version
    from assessments where id = ${id}`);
}

function checkConsistency(tx: Reader, record: { recommendationId?: string; assessedOn?: string }): void {
  const problems = new Inconsistencies();
  if (record.recommendationId !== undefined) {
    checkReferences(tx, problems, 'recommendationId', REFERENCES.recommendation, [record.recommendationId]);
  }
  if (record.assessedOn !== undefined) checkDate(problems, 'assessedOn', record.assessedOn, 'day');
  problems.throwIfAny();
}

export function createAssessment(context: WriteContext, input: AssessmentCreate): string {
  const { tx } = context;
  checkConsistency(tx, input);
  const id =
    input.id !== undefined
      ? claimRecordId(tx, ID_TABLE, input.id)
      : newRecordId(tx, ID_TABLE, `${input.recommendationId}-${input.assessedOn}`);
  const now = new Date().toISOString();
  tx.insert(assessments)
    .values({
      id,
      recommendationId: input.recommendationId,
      status: input.status,
      assessedOn: input.assessedOn,
      rationale: input.rationale,
      sourceId: upsertSource(context, input.sources[0]!),
      createdAt: now,
      updatedAt: now,
    })
    .run();
  auditCreate(context, TABLE.entity, id, assessmentSnapshot(tx, id)!);
  return id;
}

function existing(tx: Reader, id: string, expected: VersionCondition): Snapshot {
  const before = assessmentSnapshot(tx, id);
  if (!before) throw notFound('Assessment', id);
  checkVersion(tx, expected, before.version, 'Assessment', id);
  return before;
}

export function updateAssessment(context: WriteContext, id: string, patch: AssessmentPatch, expected: VersionCondition): void {
  const { tx } = context;
  const before = existing(tx, id, expected);
  checkConsistency(tx, patch);
  const { sources, ...columns } = patch;
  const sourceId = sources === undefined ? {} : { sourceId: upsertSource(context, sources[0]!) };
  tx.update(assessments)
    .set({ ...columns, ...sourceId })
    .where(sql`id = ${id}`)
    .run();
  finishUpdate(context, TABLE, id, before, () => assessmentSnapshot(tx, id)!);
}

export function deleteAssessment(context: WriteContext, id: string, expected: VersionCondition): void {
  deleteAudited(context, TABLE, id, existing(context.tx, id, expected));
}

/** The assessments' write routes on SQLite: these functions in a writeTransaction. */
export function sqliteAssessmentWrites(db: Db): WriteHandlers {
  return sqliteWriteHandlers<typeof assessmentCreateSchema, typeof assessmentPatchSchema, { id: string; version: number }>(db, {
    entity: 'assessments',
    param: { name: 'id' },
    read: (id) => getAssessment(db, id),
    create: createAssessment,
    update: updateAssessment,
    remove: deleteAssessment,
  });
}
