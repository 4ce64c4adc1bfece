import { sql } from 'drizzle-orm';
import { checkDate, Inconsistencies, REFERENCES } from '../curation/checks.js';
import type { WriteHandlers } from '../curation/http.js';
import { pgWriteHandlers } from '../curation/pg-http.js';
import {
  pgCheckReferences,
  pgCheckVersion,
  pgClaimRecordId,
  pgCountReferences,
  pgDeleteAudited,
  pgFinishUpdate,
  pgLinkedValues,
  pgReplaceLinks,
  pgUpsertSource,
} from '../curation/pg-records.js';
import type { Snapshot } from '../curation/records.js';
import type { ReviewDetail } from './schemas.js';
import { pgAll, pgGet, pgRun } from '../db/pg/query.js';
import type { Pool } from '../db/pg/rows.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { HttpProblem, notFound } from '../http/problem.js';
import { REVIEW_READS } from './pg-queries.js';
import { REVIEW_ID_TABLE, REVIEW_TABLE, type ReviewCreate, type ReviewPatch } from './writes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting reviews on PostgreSQL (writes.ts on SQLite): the same checks, rows, audit
// snapshots and problems, in a pgWriteTransaction. A review's session is part of its recommendations' stored
// documents: a change of it rebuilds them, as SQLite's trigger (migrations/0007) marks them.

type Tx = PgWriteContext['tx'];

/** writes.ts's reviewSnapshot, its fields in the same order. */
async function snapshot(tx: Tx, id: string): Promise<Snapshot | undefined> {
  const row = await pgGet<Snapshot>(tx, sql`select state_code as "stateUnderReview", cycle, wg_session as session,
      dialogue_date as "dialogueDate", report_symbol as "reportSymbol", report_year as "reportYear", adoption_session as "adoptionSession",
      adoption_date as "adoptionDate", adoption_date_precision as "adoptionDatePrecision",
      recommendations_complete as "recommendationsComplete", recommendations_note as "recommendationsNote", version
    from reviews where id = ${id}`);
  if (!row) return undefined;
  const { version, recommendationsComplete, ...columns } = row;
  return { ...columns, recommendationsComplete, sourceIds: await pgLinkedValues(tx, 'review_sources', 'review_id', id, 'source_id'), version };
}

interface Checked {
  stateUnderReview?: string;
  dialogueDate: string | null;
  adoptionDate: string | null;
  adoptionDatePrecision: ReviewCreate['adoptionDatePrecision'];
}

async function checkConsistency(tx: Tx, record: Checked): Promise<void> {
  const problems = new Inconsistencies();
  if (record.stateUnderReview !== undefined) {
    await pgCheckReferences(tx, problems, 'stateUnderReview', REFERENCES.state, [record.stateUnderReview]);
  }
  if (record.dialogueDate !== null) checkDate(problems, 'dialogueDate', record.dialogueDate, 'day');
  if ((record.adoptionDate === null) !== (record.adoptionDatePrecision === null)) {
    problems.add('adoptionDatePrecision', 'Give adoptionDate and adoptionDatePrecision together, or neither');
  } else if (record.adoptionDate !== null) {
    checkDate(problems, 'adoptionDate', record.adoptionDate, record.adoptionDatePrecision!);
  }
  problems.throwIfAny();
}

async function writeSources(context: PgWriteContext, id: string, sources: ReviewCreate['sources'] | undefined): Promise<void> {
  if (sources === undefined) return;
  const ids: string[] = [];
  for (const [index, source] of sources.entries()) ids.push(await pgUpsertSource(context, source, index));
  await pgReplaceLinks(context.tx, 'review_sources', 'review_id', id, 'source_id', ids);
}

export async function pgCreateReview(context: PgWriteContext, input: ReviewCreate): Promise<string> {
  const { tx } = context;
  await checkConsistency(tx, input);
  const id = await pgClaimRecordId(tx, REVIEW_ID_TABLE, `${input.stateUnderReview}-${input.cycle}`);
  const now = new Date().toISOString();
  await pgRun(tx, sql`insert into reviews (id, state_code, cycle, wg_session, dialogue_date, report_symbol, report_year,
      adoption_session, adoption_date, adoption_date_precision, recommendations_complete, recommendations_note, created_at, updated_at)
    values (${id}, ${input.stateUnderReview}, ${input.cycle}, ${input.session}, ${input.dialogueDate}, ${input.reportSymbol},
      ${input.reportYear}, ${input.adoptionSession}, ${input.adoptionDate}, ${input.adoptionDatePrecision}, ${input.recommendationsComplete},
      ${input.recommendationsNote}, ${now}, ${now})`);
  await writeSources(context, id, input.sources);
  context.audit({ entity: REVIEW_TABLE.entity, entityId: id, action: 'create', before: null, after: (await snapshot(tx, id))! });
  return id;
}

async function existing(tx: Tx, id: string, expected: VersionCondition): Promise<Snapshot> {
  const before = await snapshot(tx, id);
  if (!before) throw notFound('Review', id);
  await pgCheckVersion(tx, expected, before.version, 'Review', id);
  return before;
}

const COLUMNS = {
  session: 'wg_session',
  dialogueDate: 'dialogue_date',
  reportSymbol: 'report_symbol',
  reportYear: 'report_year',
  adoptionSession: 'adoption_session',
  adoptionDate: 'adoption_date',
  adoptionDatePrecision: 'adoption_date_precision',
  recommendationsComplete: 'recommendations_complete',
  recommendationsNote: 'recommendations_note',
} as const;

export async function pgUpdateReview(context: PgWriteContext, id: string, patch: ReviewPatch, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  const pick = <K extends keyof Checked>(key: K): Checked[K] =>
    (patch[key as keyof ReviewPatch] !== undefined ? patch[key as keyof ReviewPatch] : before[key]) as Checked[K];
  await checkConsistency(tx, {
    dialogueDate: pick('dialogueDate'),
    adoptionDate: pick('adoptionDate'),
    adoptionDatePrecision: pick('adoptionDatePrecision'),
  });
  const set = Object.entries(COLUMNS)
    .filter(([field]) => patch[field as keyof typeof COLUMNS] !== undefined)
    .map(([field, column]) => sql`${sql.identifier(column)} = ${patch[field as keyof typeof COLUMNS]}`);
  if (set.length > 0) await pgRun(tx, sql`update reviews set ${sql.join(set, sql`, `)} where id = ${id}`);
  await writeSources(context, id, patch.sources);
  await pgFinishUpdate(context, REVIEW_TABLE, id, before, async () => (await snapshot(tx, id))!);
  // The session is in its recommendations' documents (SQLite's trigger fires on an update that sets it).
  if (patch.session !== undefined) {
    context.stale((await pgAll<{ id: string }>(tx, sql`select id from recommendations where review_id = ${id}`)).map((row) => row.id));
  }
}

export async function pgDeleteReview(context: PgWriteContext, id: string, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  const uses: { table: string; n: number }[] = [];
  for (const table of ['recommendations', 'developments', 'statements']) {
    const n = await pgCountReferences(tx, table, 'review_id', id);
    if (n > 0) uses.push({ table, n });
  }
  if (uses.length > 0) {
    throw new HttpProblem(
      409,
      `Review "${id}" still has ${uses.map(({ table, n }) => `${n} ${table}`).join(', ')}: delete or move those first.`,
    );
  }
  await pgDeleteAudited(context, REVIEW_TABLE, id, before);
}

/** The reviews' write routes on PostgreSQL. */
export function pgReviewWrites(pool: Pool): WriteHandlers {
  return pgWriteHandlers<ReviewCreate, ReviewPatch, ReviewDetail>(pool, {
    entity: 'reviews',
    create: pgCreateReview,
    update: pgUpdateReview,
    remove: pgDeleteReview,
    read: (client, id) => REVIEW_READS.get(client, id),
  });
}
