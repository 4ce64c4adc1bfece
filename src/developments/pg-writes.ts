import { sql } from 'drizzle-orm';
import { periodOf } from '../common/dates.js';
import { checkDate, Inconsistencies, REFERENCES } from '../curation/checks.js';
import { idFragment } from '../curation/ids.js';
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
import { inList } from '../db/keyset.js';
import { pgAll, pgGet, pgRun } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { notFound } from '../http/problem.js';
import { type Checked, type DevelopmentCreate, type DevelopmentPatch, ID_TABLE, TABLE } from './writes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting developments on PostgreSQL (writes.ts on SQLite): the same checks, rows,
// audit snapshots and problems, in a pgWriteTransaction. A change of a development's links to recommendations
// changes those recommendations' stored documents (their count of developments): they are marked stale, as
// SQLite's triggers on development_recommendations mark them, and rebuilt before the transaction commits.

type Tx = PgWriteContext['tx'];

/** writes.ts's developmentSnapshot: the same fields in the same order. */
export async function pgDevelopmentSnapshot(tx: Tx, id: string): Promise<Snapshot | undefined> {
  const row = await pgGet<{
    stateUnderReview: string;
    reviewId: string | null;
    title: string;
    summary: string;
    date: string;
    datePrecision: string;
    direction: string;
    version: number;
  }>(tx, sql`select state_code as "stateUnderReview", review_id as "reviewId", title, summary, date,
      date_precision as "datePrecision", direction, version
    from developments where id = ${id}`);
  if (!row) return undefined;
  const { version, ...columns } = row;
  const links = (table: string, column: string) => pgLinkedValues<string>(tx, table, 'development_id', id, column);
  return {
    ...columns,
    themes: await links('development_themes', 'theme_id'),
    recommendationIds: await links('development_recommendations', 'recommendation_id'),
    sourceIds: await links('development_sources', 'source_id'),
    version,
  };
}

/** writes.ts's checkConsistency: 422 for unknown references, another state's review or recommendations, a bad date. */
async function checkConsistency(tx: Tx, record: Checked, changed: { date: boolean; recommendations: boolean }): Promise<void> {
  const problems = new Inconsistencies();
  await pgCheckReferences(tx, problems, 'stateUnderReview', REFERENCES.state, [record.stateUnderReview]);
  if (record.reviewId !== null) {
    const review = await pgGet<{ state: string }>(tx, sql`select state_code as state from reviews where id = ${record.reviewId}`);
    if (!review) problems.add('reviewId', `Unknown review id ${JSON.stringify(record.reviewId)}`);
    else if (review.state !== record.stateUnderReview) {
      problems.add('reviewId', `${record.reviewId} is a review of ${review.state}, not of ${record.stateUnderReview}`);
    }
  }
  if (changed.date) checkDate(problems, 'date', record.date, record.datePrecision);
  await pgCheckReferences(tx, problems, 'themes', REFERENCES.theme, record.themes);
  if (changed.recommendations) {
    await pgCheckReferences(tx, problems, 'recommendationIds', REFERENCES.recommendation, record.recommendationIds);
    const others =
      record.recommendationIds.length === 0
        ? []
        : await pgAll<{ id: string; state: string }>(tx, sql`select r.id, v.state_code as state
            from recommendations r join reviews v on v.id = r.review_id
            where ${inList(sql`r.id`, record.recommendationIds)} and v.state_code <> ${record.stateUnderReview}
            order by r.id collate "C"`);
    for (const other of others) {
      problems.add('recommendationIds', `${other.id} is a recommendation to ${other.state}, not to ${record.stateUnderReview}`);
    }
  }
  problems.throwIfAny();
}

async function writeLinks(context: PgWriteContext, id: string, input: Partial<DevelopmentCreate>): Promise<void> {
  const { tx } = context;
  if (input.themes) await pgReplaceLinks(tx, 'development_themes', 'development_id', id, 'theme_id', input.themes);
  if (input.recommendationIds) {
    await pgReplaceLinks(tx, 'development_recommendations', 'development_id', id, 'recommendation_id', input.recommendationIds);
  }
  if (input.sources) {
    const sourceIds: string[] = [];
    for (const [index, source] of input.sources.entries()) sourceIds.push(await pgUpsertSource(context, source, index));
    await pgReplaceLinks(tx, 'development_sources', 'development_id', id, 'source_id', sourceIds);
  }
}

/** The recommendations linked before and after a change: their documents count the development. */
function staleLinked(context: PgWriteContext, ...snapshots: (Snapshot | undefined)[]): void {
  for (const snapshot of snapshots) if (snapshot) context.stale(snapshot.recommendationIds as string[]);
}

export async function pgCreateDevelopment(context: PgWriteContext, input: DevelopmentCreate): Promise<string> {
  const { tx } = context;
  await checkConsistency(tx, input, { date: true, recommendations: true });
  const id =
    input.id !== undefined
      ? await pgClaimRecordId(tx, ID_TABLE, input.id)
      : await pgNewRecordId(tx, ID_TABLE, `${input.stateUnderReview.toLowerCase()}-${idFragment(input.date)}`);
  const period = periodOf(input.date, input.datePrecision);
  const now = new Date().toISOString();
  // fts_rowid as SQLite's trigger sets it (migrations/0003), so that a copy back to SQLite indexes it alike.
  await pgRun(tx, sql`insert into developments (id, state_code, review_id, title, summary, date, date_precision,
      period_start, period_end, direction, created_at, updated_at, fts_rowid)
    values (${id}, ${input.stateUnderReview}, ${input.reviewId}, ${input.title}, ${input.summary}, ${input.date},
      ${input.datePrecision}, ${period.start}, ${period.end}, ${input.direction}, ${now}, ${now},
      (select coalesce(max(fts_rowid), 0) + 1 from developments))`);
  await writeLinks(context, id, input);
  const after = (await pgDevelopmentSnapshot(tx, id))!;
  context.audit({ entity: TABLE.entity, entityId: id, action: 'create', before: null, after });
  staleLinked(context, after);
  return id;
}

async function existing(tx: Tx, id: string, expected: VersionCondition): Promise<Snapshot> {
  const before = await pgDevelopmentSnapshot(tx, id);
  if (!before) throw notFound('Development', id);
  await pgCheckVersion(tx, expected, before.version, 'Development', id);
  return before;
}

const COLUMNS = { reviewId: 'review_id', title: 'title', summary: 'summary', date: 'date', datePrecision: 'date_precision', direction: 'direction' } as const;

export async function pgUpdateDevelopment(context: PgWriteContext, id: string, patch: DevelopmentPatch, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  const merged: Checked = {
    stateUnderReview: patch.stateUnderReview ?? (before.stateUnderReview as string),
    reviewId: patch.reviewId !== undefined ? patch.reviewId : (before.reviewId as string | null),
    date: patch.date ?? (before.date as string),
    datePrecision: patch.datePrecision ?? (before.datePrecision as Checked['datePrecision']),
    themes: patch.themes,
    // A change of state must still fit the linked recommendations.
    recommendationIds: patch.recommendationIds ?? (before.recommendationIds as string[]),
  };
  await checkConsistency(tx, merged, {
    date: patch.date !== undefined || patch.datePrecision !== undefined,
    recommendations: patch.recommendationIds !== undefined || patch.stateUnderReview !== undefined,
  });
  const period = periodOf(merged.date, merged.datePrecision);
  const set = Object.entries(COLUMNS)
    .filter(([field]) => patch[field as keyof typeof COLUMNS] !== undefined)
    .map(([field, column]) => sql`${sql.identifier(column)} = ${patch[field as keyof typeof COLUMNS]}`);
  set.push(sql`state_code = ${merged.stateUnderReview}`, sql`period_start = ${period.start}`, sql`period_end = ${period.end}`);
  await pgRun(tx, sql`update developments set ${sql.join(set, sql`, `)} where id = ${id}`);
  await writeLinks(context, id, patch);
  await pgFinishUpdate(context, TABLE, id, before, async () => (await pgDevelopmentSnapshot(tx, id))!);
  if (patch.recommendationIds !== undefined) staleLinked(context, before, await pgDevelopmentSnapshot(tx, id));
}

export async function pgDeleteDevelopment(context: PgWriteContext, id: string, expected: VersionCondition): Promise<void> {
  // Its links to recommendations, themes and sources go with it (and are in its tombstone); sources stay.
  const before = await existing(context.tx, id, expected);
  await pgDeleteAudited(context, TABLE, id, before);
  staleLinked(context, before);
}

/** writes.ts's linkRecommendation: links (or unlinks) a development and a recommendation; twice changes nothing. */
export async function pgLinkRecommendation(
  context: PgWriteContext,
  id: string,
  recommendationId: string,
  expected: VersionCondition,
  link: boolean,
): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  if (link) {
    const recommendation = await pgGet<{ state: string }>(tx, sql`select v.state_code as state
      from recommendations r join reviews v on v.id = r.review_id where r.id = ${recommendationId}`);
    if (!recommendation) throw notFound('Recommendation', recommendationId);
    if (recommendation.state !== before.stateUnderReview) {
      const problems = new Inconsistencies();
      const message = `${recommendationId} is a recommendation to ${recommendation.state}; development ${id} happened in ${before.stateUnderReview as string}`;
      problems.add('recommendationId', message, 'path');
      problems.throwIfAny();
    }
    await pgRun(tx, sql`insert into development_recommendations (development_id, recommendation_id)
      values (${id}, ${recommendationId}) on conflict do nothing`);
  } else {
    await pgRun(tx, sql`delete from development_recommendations where development_id = ${id} and recommendation_id = ${recommendationId}`);
  }
  if (await pgFinishUpdate(context, TABLE, id, before, async () => (await pgDevelopmentSnapshot(tx, id))!)) context.stale([recommendationId]);
}
