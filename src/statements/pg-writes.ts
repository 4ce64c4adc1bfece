import { sql } from 'drizzle-orm';
import { checkDate, Inconsistencies, REFERENCES } from '../curation/checks.js';
import type { Snapshot } from '../curation/records.js';
import {
  pgCheckReferences,
  pgCheckVersion,
  pgClaimRecordId,
  pgDeleteAudited,
  pgFinishUpdate,
  pgLinkedValues,
  pgNewRecordId,
  pgReplaceLinks,
  pgUpsertSource,
} from '../curation/pg-records.js';
import { pgGet, pgRun } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { notFound } from '../http/problem.js';
import { type Checked, ID_TABLE, type Speaker, speakerColumns, type StatementCreate, type StatementPatch, TABLE } from './writes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting statements on PostgreSQL (writes.ts on SQLite): the same checks, rows, audit
// snapshots and problems, in a pgWriteTransaction.

type Tx = PgWriteContext['tx'];

/** writes.ts's statementSnapshot: the same fields in the same order. */
export async function pgStatementSnapshot(tx: Tx, id: string): Promise<Snapshot | undefined> {
  const row = await pgGet<{
    reviewId: string;
    speakerStateCode: string | null;
    speakerOrganization: string | null;
    stage: string;
    date: string;
    datePrecision: string;
    summary: string;
    sourceId: string;
    version: number;
  }>(tx, sql`select review_id as "reviewId", speaker_state_code as "speakerStateCode",
      speaker_organization as "speakerOrganization", stage, date, date_precision as "datePrecision", summary,
      source_id as "sourceId", version
    from statements where id = ${id}`);
  if (!row) return undefined;
  const { speakerStateCode, speakerOrganization, sourceId, version, ...columns } = row;
  const speaker: Speaker =
    speakerStateCode !== null ? { type: 'state', id: speakerStateCode } : { type: 'organization', name: speakerOrganization! };
  return {
    ...columns,
    speaker,
    themes: await pgLinkedValues<string>(tx, 'statement_themes', 'statement_id', id, 'theme_id'),
    sourceId,
    version,
  };
}

async function checkConsistency(tx: Tx, record: Checked, dateChanged: boolean): Promise<void> {
  const problems = new Inconsistencies();
  if (record.reviewId !== undefined) await pgCheckReferences(tx, problems, 'reviewId', REFERENCES.review, [record.reviewId]);
  if (record.speaker?.type === 'state') await pgCheckReferences(tx, problems, 'speaker.id', REFERENCES.state, [record.speaker.id]);
  if (dateChanged) checkDate(problems, 'date', record.date, record.datePrecision);
  await pgCheckReferences(tx, problems, 'themes', REFERENCES.theme, record.themes);
  problems.throwIfAny();
}

export async function pgCreateStatement(context: PgWriteContext, input: StatementCreate): Promise<string> {
  const { tx } = context;
  await checkConsistency(tx, input, true);
  const id = input.id !== undefined ? await pgClaimRecordId(tx, ID_TABLE, input.id) : await pgNewRecordId(tx, ID_TABLE, input.reviewId);
  const now = new Date().toISOString();
  const speaker = speakerColumns(input.speaker);
  const sourceId = await pgUpsertSource(context, input.sources[0]!);
  // fts_rowid as SQLite's trigger sets it (migrations/0026), so that a copy back to SQLite indexes it alike.
  await pgRun(tx, sql`insert into statements (id, review_id, speaker_state_code, speaker_organization, stage, date,
      date_precision, summary, source_id, created_at, updated_at, fts_rowid)
    values (${id}, ${input.reviewId}, ${speaker.speakerStateCode}, ${speaker.speakerOrganization}, ${input.stage},
      ${input.date}, ${input.datePrecision}, ${input.summary}, ${sourceId}, ${now}, ${now},
      (select coalesce(max(fts_rowid), 0) + 1 from statements))`);
  await pgReplaceLinks(tx, 'statement_themes', 'statement_id', id, 'theme_id', input.themes);
  context.audit({ entity: TABLE.entity, entityId: id, action: 'create', before: null, after: (await pgStatementSnapshot(tx, id))! });
  return id;
}

async function existing(tx: Tx, id: string, expected: VersionCondition): Promise<Snapshot> {
  const before = await pgStatementSnapshot(tx, id);
  if (!before) throw notFound('Statement', id);
  await pgCheckVersion(tx, expected, before.version, 'Statement', id);
  return before;
}

const COLUMNS = { reviewId: 'review_id', stage: 'stage', date: 'date', datePrecision: 'date_precision', summary: 'summary' } as const;

export async function pgUpdateStatement(context: PgWriteContext, id: string, patch: StatementPatch, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  await checkConsistency(
    tx,
    {
      reviewId: patch.reviewId,
      speaker: patch.speaker,
      date: patch.date ?? (before.date as string),
      datePrecision: patch.datePrecision ?? (before.datePrecision as Checked['datePrecision']),
      themes: patch.themes,
    },
    patch.date !== undefined || patch.datePrecision !== undefined,
  );
  const set = Object.entries(COLUMNS)
    .filter(([field]) => patch[field as keyof typeof COLUMNS] !== undefined)
    .map(([field, column]) => sql`${sql.identifier(column)} = ${patch[field as keyof typeof COLUMNS]}`);
  if (patch.speaker !== undefined) {
    const speaker = speakerColumns(patch.speaker);
    set.push(sql`speaker_state_code = ${speaker.speakerStateCode}`, sql`speaker_organization = ${speaker.speakerOrganization}`);
  }
  if (patch.sources !== undefined) set.push(sql`source_id = ${await pgUpsertSource(context, patch.sources[0]!)}`);
  if (set.length > 0) await pgRun(tx, sql`update statements set ${sql.join(set, sql`, `)} where id = ${id}`);
  if (patch.themes) await pgReplaceLinks(tx, 'statement_themes', 'statement_id', id, 'theme_id', patch.themes);
  await pgFinishUpdate(context, TABLE, id, before, async () => (await pgStatementSnapshot(tx, id))!);
}

export async function pgDeleteStatement(context: PgWriteContext, id: string, expected: VersionCondition): Promise<void> {
  await pgDeleteAudited(context, TABLE, id, await existing(context.tx, id, expected));
}
