import { sql } from 'drizzle-orm';
import { checkDate, Inconsistencies, REFERENCES } from '../curation/checks.js';
import type { WriteHandlers } from '../curation/http.js';
import { pgWriteHandlers } from '../curation/pg-http.js';
import {
  pgCheckReferences,
  pgCheckVersion,
  pgClaimRecordId,
  pgDeleteAudited,
  pgFinishUpdate,
  pgNewRecordId,
  pgUpsertSource,
} from '../curation/pg-records.js';
import type { Snapshot } from '../curation/records.js';
import { pgGet, pgRun } from '../db/pg/query.js';
import type { Pool } from '../db/pg/rows.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { notFound } from '../http/problem.js';
import { pgGetAssessment } from './pg-queries.js';
import { ASSESSMENT_ID_TABLE, ASSESSMENT_TABLE, type AssessmentCreate, type AssessmentPatch } from './writes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting assessments on PostgreSQL (writes.ts on SQLite): the same checks, rows, audit
// snapshots and problems, in a pgWriteTransaction. An assessment is part of its recommendation's stored
// document (its current implementation status): the recommendations it leaves and joins are rebuilt.

type Tx = PgWriteContext['tx'];

/** writes.ts's assessmentSnapshot. */
async function snapshot(tx: Tx, id: string): Promise<Snapshot | undefined> {
  return pgGet<Snapshot>(tx, sql`select recommendation_id as "recommendationId", status, assessed_on as "assessedOn",
      rationale, source_id as "sourceId", version
    from assessments where id = ${id}`);
}

async function checkConsistency(tx: Tx, record: { recommendationId?: string; assessedOn?: string }): Promise<void> {
  const problems = new Inconsistencies();
  if (record.recommendationId !== undefined) {
    await pgCheckReferences(tx, problems, 'recommendationId', REFERENCES.recommendation, [record.recommendationId]);
  }
  if (record.assessedOn !== undefined) checkDate(problems, 'assessedOn', record.assessedOn, 'day');
  problems.throwIfAny();
}

export async function pgCreateAssessment(context: PgWriteContext, input: AssessmentCreate): Promise<string> {
  const { tx } = context;
  await checkConsistency(tx, input);
  const id =
    input.id !== undefined
      ? await pgClaimRecordId(tx, ASSESSMENT_ID_TABLE, input.id)
      : await pgNewRecordId(tx, ASSESSMENT_ID_TABLE, `${input.recommendationId}-${input.assessedOn}`);
  const now = new Date().toISOString();
  const sourceId = await pgUpsertSource(context, input.sources[0]!);
  await pgRun(tx, sql`insert into assessments (id, recommendation_id, status, assessed_on, rationale, source_id, created_at, updated_at)
    values (${id}, ${input.recommendationId}, ${input.status}, ${input.assessedOn}, ${input.rationale}, ${sourceId}, ${now}, ${now})`);
  context.audit({ entity: ASSESSMENT_TABLE.entity, entityId: id, action: 'create', before: null, after: (await snapshot(tx, id))! });
  context.stale([input.recommendationId]);
  return id;
}

async function existing(tx: Tx, id: string, expected: VersionCondition): Promise<Snapshot> {
  const before = await snapshot(tx, id);
  if (!before) throw notFound('Assessment', id);
  await pgCheckVersion(tx, expected, before.version, 'Assessment', id);
  return before;
}

const COLUMNS = { recommendationId: 'recommendation_id', status: 'status', assessedOn: 'assessed_on', rationale: 'rationale' } as const;

export async function pgUpdateAssessment(context: PgWriteContext, id: string, patch: AssessmentPatch, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  await checkConsistency(tx, patch);
  const set = Object.entries(COLUMNS)
    .filter(([field]) => patch[field as keyof typeof COLUMNS] !== undefined)
    .map(([field, column]) => sql`${sql.identifier(column)} = ${patch[field as keyof typeof COLUMNS]}`);
  if (patch.sources !== undefined) set.push(sql`source_id = ${await pgUpsertSource(context, patch.sources[0]!)}`);
  await pgRun(tx, sql`update assessments set ${sql.join(set, sql`, `)} where id = ${id}`);
  await pgFinishUpdate(context, ASSESSMENT_TABLE, id, before, async () => (await snapshot(tx, id))!);
  context.stale([before.recommendationId as string, patch.recommendationId ?? (before.recommendationId as string)]);
}

export async function pgDeleteAssessment(context: PgWriteContext, id: string, expected: VersionCondition): Promise<void> {
  const before = await existing(context.tx, id, expected);
  await pgDeleteAudited(context, ASSESSMENT_TABLE, id, before);
  context.stale([before.recommendationId as string]);
}

/** The assessments' write routes on PostgreSQL. */
export function pgAssessmentWrites(pool: Pool): WriteHandlers {
  return pgWriteHandlers<AssessmentCreate, AssessmentPatch, NonNullable<Awaited<ReturnType<typeof pgGetAssessment>>>>(pool, {
    entity: 'assessments',
    create: pgCreateAssessment,
    update: pgUpdateAssessment,
    remove: pgDeleteAssessment,
    read: pgGetAssessment,
  });
}
