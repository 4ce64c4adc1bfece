import { sql } from 'drizzle-orm';
import { Inconsistencies, REFERENCES } from '../curation/checks.js';
import { idFragment } from '../curation/ids.js';
import type { Snapshot, VersionedTable } from '../curation/records.js';
import {
  pgCheckReferences,
  pgCheckVersion,
  pgClaimRecordId,
  pgCountReferences,
  pgDeleteAudited,
  pgFinishUpdate,
  pgLinkedValues,
  pgNewRecordId,
  pgReplaceLinks,
  pgUpsertSource,
} from '../curation/pg-records.js';
import { pgAll, pgGet, pgRun } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { HttpProblem, notFound } from '../http/problem.js';
import { pgRelateOne, pgRelateStatesOf } from '../related/pg-refresh.js';
import { paragraphSortKey } from './paragraph.js';
import { createdMarks, curatedFieldsQuery, type CuratedMarks, patchedMarks } from './curated-fields.js';
import {
  type Checked,
  checkLinkedDevelopments,
  checkRecommendationRules,
  linkedDevelopmentsElsewhere,
  type RecommendationCreate,
  type RecommendationPatch,
} from './writes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting recommendations on PostgreSQL (writes.ts and src/tagging/curation.ts on
// SQLite): the same checks, rows, audit snapshots and problems; each function runs inside a
// pgWriteTransaction and marks the recommendations whose stored documents it changes.

type Tx = PgWriteContext['tx'];

const TABLE: VersionedTable = { entity: 'recommendations', table: 'recommendations', idColumn: 'id', hasUpdatedAt: true };
const ID_TABLE = { table: 'recommendations', column: 'id', what: 'Recommendation' };

/** writes.ts's recommendationSnapshot. */
export async function pgRecommendationSnapshot(tx: Tx, id: string): Promise<Snapshot | undefined> {
  const row = await pgGet<{
    reviewId: string;
    paragraph: string | null;
    text: string;
    verbatim: boolean;
    position: string | null;
    positionSource: string | null;
    sourceId: string | null;
    version: number;
  }>(tx, sql`select review_id as "reviewId", paragraph, text, verbatim, position, position_source as "positionSource",
      source_id as "sourceId", version
    from recommendations where id = ${id}`);
  if (!row) return undefined;
  const links = (table: string, column: string) => pgLinkedValues(tx, table, 'recommendation_id', id, column);
  return {
    reviewId: row.reviewId,
    paragraph: row.paragraph,
    text: row.text,
    verbatim: row.verbatim,
    recommendingStates: await links('recommendation_states', 'state_code'),
    position: row.position,
    positionSource: row.positionSource,
    sourceId: row.sourceId,
    // writes.ts's NOT_MACHINE.
    themes: await pgLinkedValues(tx, 'recommendation_themes', 'recommendation_id', id, 'theme_id', sql`label_source is distinct from 'machine'`),
    sdgs: await links('recommendation_sdgs', 'goal'),
    affectedPersons: await links('recommendation_affected_persons', 'group_id'),
    version: row.version,
  };
}

async function checkConsistency(tx: Tx, record: Checked, id?: string): Promise<void> {
  const problems = new Inconsistencies();
  const review = await pgGet<{ stateCode: string }>(tx, sql`select state_code as "stateCode" from reviews where id = ${record.reviewId}`);
  if (!review) problems.add('reviewId', `Unknown review id ${JSON.stringify(record.reviewId)}`);
  else if (id !== undefined) {
    checkLinkedDevelopments(problems, id, review.stateCode, await pgAll<{ id: string; state: string }>(tx, linkedDevelopmentsElsewhere(id, review.stateCode)));
  }
  await pgCheckReferences(tx, problems, 'recommendingStates', REFERENCES.state, record.recommendingStates);
  checkRecommendationRules(problems, record, review?.stateCode);
  await pgCheckReferences(tx, problems, 'themes', REFERENCES.theme, record.themes);
  await pgCheckReferences(tx, problems, 'sdgs', REFERENCES.sdg, record.sdgs);
  await pgCheckReferences(tx, problems, 'affectedPersons', REFERENCES.affectedPersons, record.affectedPersons);
  problems.throwIfAny();
}

const inJson = (list: readonly (string | number)[]) => sql`(select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb))`;

/** src/tagging/rejections.ts: themes of the recommendation a curator removes, never given again by the tagger. */
async function rejectThemesExcept(tx: Tx, id: string, kept: readonly string[] | undefined, only?: string): Promise<void> {
  const which = only === undefined ? sql`theme_id not in ${inJson(kept!)}` : sql`theme_id = ${only}`;
  await pgRun(tx, sql`insert into machine_label_rejections (recommendation_id, theme_id)
    select recommendation_id, theme_id from recommendation_themes where recommendation_id = ${id} and ${which}
    on conflict do nothing`);
}

async function allowThemes(tx: Tx, id: string, themeIds: readonly string[]): Promise<void> {
  await pgRun(tx, sql`delete from machine_label_rejections where recommendation_id = ${id} and theme_id in ${inJson(themeIds)}`);
}

/** writes.ts's replaceLabels: those kept keep their provenance, those added are curated. */
async function replaceLabels(tx: Tx, table: string, column: string, id: string, values: readonly (string | number)[]): Promise<void> {
  const t = sql.identifier(table);
  const c = sql.identifier(column);
  await pgRun(tx, sql`delete from ${t} where recommendation_id = ${id} and ${c}::text not in ${inJson(values)}`);
  for (const value of values) {
    await pgRun(tx, sql`insert into ${t} (recommendation_id, ${c}, label_source) values (${id}, ${value}, 'curated') on conflict do nothing`);
  }
}

async function writeLinks(tx: Tx, id: string, input: Partial<RecommendationCreate>): Promise<void> {
  if (input.recommendingStates) await pgReplaceLinks(tx, 'recommendation_states', 'recommendation_id', id, 'state_code', input.recommendingStates);
  if (input.themes) {
    await rejectThemesExcept(tx, id, input.themes);
    await allowThemes(tx, id, input.themes);
    await replaceLabels(tx, 'recommendation_themes', 'theme_id', id, input.themes);
  }
  if (input.sdgs) await replaceLabels(tx, 'recommendation_sdgs', 'goal', id, input.sdgs);
  if (input.affectedPersons) await replaceLabels(tx, 'recommendation_affected_persons', 'group_id', id, input.affectedPersons);
}

export async function pgCreateRecommendation(context: PgWriteContext, input: RecommendationCreate): Promise<string> {
  const { tx } = context;
  await checkConsistency(tx, input);
  const id =
    input.id !== undefined
      ? await pgClaimRecordId(tx, ID_TABLE, input.id)
      : input.paragraph !== null
        ? await pgClaimRecordId(tx, ID_TABLE, `${input.reviewId}-${idFragment(input.paragraph)}`)
        : await pgNewRecordId(tx, ID_TABLE, input.reviewId);
  const now = new Date().toISOString();
  const sourceId = input.sources[0] === undefined ? null : await pgUpsertSource(context, input.sources[0]);
  // fts_rowid as SQLite's trigger sets it (migrations/0003), so that a copy back to SQLite indexes it alike.
  await pgRun(tx, sql`insert into recommendations (id, review_id, paragraph, paragraph_sort_key, text, verbatim, position,
      position_source, source_id, created_at, updated_at, fts_rowid)
    values (${id}, ${input.reviewId}, ${input.paragraph}, ${paragraphSortKey(input.paragraph)}, ${input.text}, ${input.verbatim},
      ${input.position}, ${input.positionSource}, ${sourceId}, ${now}, ${now},
      (select coalesce(max(fts_rowid), 0) + 1 from recommendations))`);
  await writeLinks(tx, id, input);
  await pgRelateOne(context, id);
  const after = (await pgRecommendationSnapshot(tx, id))!;
  for (const statement of createdMarks(id, after)) await pgRun(tx, statement);
  context.audit({ entity: TABLE.entity, entityId: id, action: 'create', before: null, after });
  context.stale([id]);
  return id;
}

async function existing(tx: Tx, id: string, expected: VersionCondition, snapshot = pgRecommendationSnapshot): Promise<Snapshot> {
  const before = await snapshot(tx, id);
  if (!before) throw notFound('Recommendation', id);
  await pgCheckVersion(tx, expected, before.version, 'Recommendation', id);
  return before;
}

const COLUMNS = {
  reviewId: 'review_id',
  paragraph: 'paragraph',
  text: 'text',
  verbatim: 'verbatim',
  position: 'position',
  positionSource: 'position_source',
} as const;

export async function pgUpdateRecommendation(context: PgWriteContext, id: string, patch: RecommendationPatch, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  // writes.ts's updateRecommendation: a PATCH of themes is recorded with who gave each theme.
  const snapshot = patch.themes !== undefined ? themedSnapshot : pgRecommendationSnapshot;
  const before = await existing(tx, id, expected, snapshot);
  await checkConsistency(tx, {
    reviewId: patch.reviewId ?? (before.reviewId as string),
    recommendingStates: patch.recommendingStates ?? (before.recommendingStates as string[]),
    position: patch.position !== undefined ? patch.position : (before.position as string | null),
    positionSource: patch.positionSource !== undefined ? patch.positionSource : (before.positionSource as string | null),
    themes: patch.themes,
    sdgs: patch.sdgs,
    affectedPersons: patch.affectedPersons,
  }, patch.reviewId !== undefined ? id : undefined);
  const set = Object.entries(COLUMNS)
    .filter(([field]) => patch[field as keyof typeof COLUMNS] !== undefined)
    .map(([field, column]) => sql`${sql.identifier(column)} = ${patch[field as keyof typeof COLUMNS]}`);
  if (patch.paragraph !== undefined) set.push(sql`paragraph_sort_key = ${paragraphSortKey(patch.paragraph)}`);
  if (patch.sources !== undefined) {
    const sourceId = patch.sources[0] === undefined ? null : await pgUpsertSource(context, patch.sources[0]);
    set.push(sql`source_id = ${sourceId}`);
  }
  if (set.length > 0) await pgRun(tx, sql`update recommendations set ${sql.join(set, sql`, `)} where id = ${id}`);
  await writeLinks(tx, id, patch);
  // Its relations follow its text and its review's state (SQLite's trigger: an update of either column).
  if (patch.text !== undefined || patch.reviewId !== undefined) await pgRelateOne(context, id);
  const after = (await snapshot(tx, id))!;
  const marks = patchedMarks(id, patch, before, after, await pgAll<CuratedMarks[number]>(tx, curatedFieldsQuery(id)));
  for (const statement of marks.statements) await pgRun(tx, statement);
  await pgFinishUpdate(context, TABLE, id, before, async () => after, marks.context);
  context.stale([id]);
}

export async function pgDeleteRecommendation(context: PgWriteContext, id: string, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, id, expected);
  const assessments = await pgCountReferences(tx, 'assessments', 'recommendation_id', id);
  const developments = await pgCountReferences(tx, 'development_recommendations', 'recommendation_id', id);
  if (assessments + developments > 0) {
    throw new HttpProblem(
      409,
      `Recommendation "${id}" still has ${assessments} assessment(s) and ${developments} linked development(s): ` +
        'delete those assessments and unlink those developments first, so that nothing is lost unnoticed.',
    );
  }
  // The recommendations that counted it among their earlier ones lose it (their relations go with it), and its
  // state's idf loses its text: the state is recomputed whole, as SQLite's refresh does.
  const relating = await pgAll<{ id: string }>(tx, sql`select recommendation_id as id from recommendation_relations where related_id = ${id}`);
  const [own] = await pgAll<{ state: string }>(tx, sql`select v.state_code as state from recommendations r
    join reviews v on v.id = r.review_id where r.id = ${id}`);
  await pgDeleteAudited(context, TABLE, id, before);
  context.stale(relating.map((row) => row.id));
  await pgRelateStatesOf(context, [own!.state]);
}

/** src/tagging/curation.ts's snapshot: the recommendation's, with who gave each theme. */
async function themedSnapshot(tx: Tx, id: string): Promise<Snapshot | undefined> {
  const record = await pgRecommendationSnapshot(tx, id);
  if (!record) return undefined;
  const sources = (
    await pgAll<{ themeId: string; source: string | null }>(tx, sql`select theme_id as "themeId", label_source as source
      from recommendation_themes where recommendation_id = ${id}`)
  ).sort((a, b) => (a.themeId < b.themeId ? -1 : 1));
  return { ...record, themeSources: Object.fromEntries(sources.map((s) => [s.themeId, s.source ?? 'curated'])) };
}

/** src/tagging/curation.ts's setThemeLabel: confirm (keep) or remove a theme of a recommendation. */
export async function pgSetThemeLabel(context: PgWriteContext, id: string, themeId: string, expected: VersionCondition, keep: boolean): Promise<void> {
  const { tx } = context;
  const before = await themedSnapshot(tx, id);
  if (!before) throw notFound('Recommendation', id);
  await pgCheckVersion(tx, expected, before.version, 'Recommendation', id);
  if (keep) {
    if (!(await pgGet(tx, sql`select 1 from themes where id = ${themeId}`))) throw notFound('Theme', themeId);
    await pgRun(tx, sql`update recommendation_themes set label_source = 'curated', confidence = null
      where recommendation_id = ${id} and theme_id = ${themeId} and label_source = 'machine'`);
    await pgRun(tx, sql`insert into recommendation_themes (recommendation_id, theme_id, label_source) values (${id}, ${themeId}, 'curated')
      on conflict do nothing`);
    await allowThemes(tx, id, [themeId]);
  } else {
    await rejectThemesExcept(tx, id, undefined, themeId);
    await pgRun(tx, sql`delete from recommendation_themes where recommendation_id = ${id} and theme_id = ${themeId}`);
  }
  await pgFinishUpdate(context, TABLE, id, before, async () => (await themedSnapshot(tx, id))!);
  context.stale([id]);
}
