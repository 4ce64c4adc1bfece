import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { uniqueList } from '../common/schemas.js';
import type { Tx, WriteContext } from '../db/audit.js';
import { POSITIONS, recommendations } from '../db/schema.js';
import { notFound, HttpProblem } from '../http/problem.js';
import { isoCode } from '../http/params.js';
import { checkReferences, checkVersion, Inconsistencies, REFERENCES } from '../curation/checks.js';
import { claimRecordId, idFragment, newRecordId, recordIdSchema } from '../curation/ids.js';
import {
  auditCreate,
  countReferences,
  deleteAudited,
  finishUpdate,
  linkedValues,
  replaceLinks,
  type Snapshot,
  type VersionedTable,
} from '../curation/records.js';
import { oneSourceList, SOURCE_EXAMPLE, upsertSource } from '../curation/sources.js';
import { allowThemes, rejectThemes } from '../tagging/rejections.js';
import { paragraphSortKey } from './paragraph.js';
import { createdMarks, curatedFieldsQuery, type CuratedMarks, patchedMarks } from './curated-fields.js';
import { visible } from '../http/visible-text.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting recommendations: each function runs inside a writeTransaction.

export const RECOMMENDATION_TABLE: VersionedTable = { entity: 'recommendations', table: 'recommendations', idColumn: 'id', hasUpdatedAt: true };
const TABLE = RECOMMENDATION_TABLE;
const ID_TABLE = { table: 'recommendations', column: 'id', what: 'Recommendation' };

const fields = {
  reviewId: visible(z.string().min(1).max(50)).describe('The review it was made at, e.g. KGZ-3.'),
  paragraph: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .nullable()
    .describe('Paragraph number as printed in the report ("121.10"); null when no source gives it.'),
  text: z.string().trim().min(1).max(10_000).describe('The recommendation, verbatim or paraphrased (see verbatim).'),
  verbatim: z.boolean().describe('true only when text is the official wording; false for a paraphrase.'),
  recommendingStates: uniqueList(isoCode, 100)
    .min(1)
    .describe('The states that made it (ISO 3166-1 alpha-3 codes), at least one.'),
  position: z
    .enum(POSITIONS)
    .nullable()
    .describe("The reviewed state's position; null when no source records it. A position needs a positionSource."),
  positionSource: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .nullable()
    .describe('Where the position is recorded: a document symbol and paragraph, or a URL.'),
  sources: oneSourceList(0, 'Where the text comes from: one source, or none ([]). Imports add the other files that give it.'),
  themes: uniqueList(visible(z.string().min(1).max(200)), 50).describe('Theme ids (see GET /v1/themes).'),
  sdgs: uniqueList(
    z
      .string()
      .regex(/^([1-9]|1[0-7])$/, 'Expected the id of an SDG, its number 1–17 as a string, e.g. "16"')
      .meta({ maxLength: 2 })
      .transform(Number),
    17,
  ).describe('Sustainable Development Goal ids: their numbers as strings, e.g. ["16"] (see GET /v1/sdgs).'),
  affectedPersons: uniqueList(visible(z.string().min(1).max(200)), 50).describe(
    'Affected-persons group ids (see GET /v1/affected-persons).',
  ),
};

const EXAMPLE = {
  reviewId: 'KGZ-3',
  paragraph: null,
  text: 'Release the human rights defender Azimjon Askarov.',
  verbatim: false,
  recommendingStates: ['FIN'],
  position: null,
  positionSource: null,
  sources: [SOURCE_EXAMPLE],
  themes: ['arbitrary-arrest-and-detention', 'human-rights-defenders'],
  sdgs: ['16'],
  affectedPersons: ['human-rights-defenders'],
};

export const recommendationCreateSchema = z
  .strictObject({
    id: recordIdSchema
      .optional()
      .describe('The id to create it under; default: reviewId-paragraph when a paragraph is given, else a new id.'),
    reviewId: fields.reviewId,
    paragraph: fields.paragraph.default(null),
    text: fields.text,
    verbatim: fields.verbatim,
    recommendingStates: fields.recommendingStates,
    position: fields.position.default(null),
    positionSource: fields.positionSource.default(null),
    sources: fields.sources.default([]),
    themes: fields.themes.default([]),
    sdgs: fields.sdgs.default([]),
    affectedPersons: fields.affectedPersons.default([]),
  })
  .meta({
    id: 'RecommendationCreate',
    description:
      "The fields given a value (not null, not an empty list) are the curator's: a later import keeps them and lists the file's " +
      'values in its report (`kept`); those left empty are filled in by files.',
    example: EXAMPLE,
  });

export const recommendationPatchSchema = z
  .strictObject({
    reviewId: fields.reviewId.optional(),
    paragraph: fields.paragraph.optional(),
    text: fields.text.optional(),
    verbatim: fields.verbatim.optional(),
    recommendingStates: fields.recommendingStates.optional(),
    position: fields.position.optional(),
    positionSource: fields.positionSource.optional(),
    sources: fields.sources.optional(),
    themes: fields.themes.optional(),
    sdgs: fields.sdgs.optional(),
    affectedPersons: fields.affectedPersons.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change')
  .meta({
    id: 'RecommendationPatch',
    description:
      'The fields to change (JSON merge patch): a field given replaces the stored one; lists are replaced whole. ' +
      "A field it changes is the curator's from then on: a later import keeps it and lists the file's value in its report's " +
      "`kept`. Giving a field the value the files last offered (that `offered`) hands it back to the files (its history " +
      'entry says so in `curatedFields`); so does emptying (null, []) a field of a record a curator created that no file ' +
      'has offered yet. Themes have label sources of their own.',
    example: { themes: ['arbitrary-arrest-and-detention', 'human-rights-defenders'] },
  });

export type RecommendationCreate = z.output<typeof recommendationCreateSchema>;
export type RecommendationPatch = z.output<typeof recommendationPatchSchema>;

type Reader = Pick<Tx, 'get' | 'all'>;

/**
 * The labels a history records: those of people and files. Machine labels are derived from the text by the
 * model (src/tagging/), given and recomputed in the same write or by `npm run tag`, so they are left out, as
 * an import's entries leave them out (src/import/apply.ts).
 */
export const NOT_MACHINE = sql`label_source is not 'machine'`;

/** The recommendation as its audit entries record it (the field names of the write bodies). */
export function recommendationSnapshot(tx: Reader, id: string): Snapshot | undefined {
  const row = tx.get<
    | {
        reviewId: string;
        paragraph: string | null;
        text: string;
        verbatim: number;
        position: string | null;
        positionSource: string | null;
        sourceId: string | null;
        version: number;
      }
    | undefined
  >(sql`select review_id as reviewId, paragraph, text, verbatim, position, position_source as positionSource,
      source_id as sourceId, version
    from recommendations where id = ${id}`);
  if (!row) return undefined;
  const links = (table: string, column: string) => linkedValues(tx, table, 'recommendation_id', id, column);
  return {
    reviewId: row.reviewId,
    paragraph: row.paragraph,
    text: row.text,
    verbatim: row.verbatim === 1,
    recommendingStates: links('recommendation_states', 'state_code'),
    position: row.position,
    positionSource: row.positionSource,
    sourceId: row.sourceId,
    themes: linkedValues(tx, 'recommendation_themes', 'recommendation_id', id, 'theme_id', NOT_MACHINE),
    sdgs: links('recommendation_sdgs', 'goal'),
    affectedPersons: links('recommendation_affected_persons', 'group_id'),
    version: row.version,
  };
}

/**
 * The recommendation's snapshot with who gave each theme (themeSources): what a curator's answer to machine
 * labels changes, recorded for it (PUT or DELETE …/themes/{id}, a PATCH of themes) though the history leaves
 * machine labels out of `themes`.
 */
export function themedRecommendationSnapshot(tx: Reader, id: string): Snapshot | undefined {
  const record = recommendationSnapshot(tx, id);
  if (!record) return undefined;
  const sources = tx.all<{ themeId: string; source: string | null }>(sql`select theme_id as themeId, label_source as source
    from recommendation_themes where recommendation_id = ${id} order by theme_id`);
  return { ...record, themeSources: Object.fromEntries(sources.map((s) => [s.themeId, s.source ?? 'curated'])) };
}

/** What a recommendation's consistency checks read (both backends' writes). */
export interface Checked {
  reviewId: string;
  recommendingStates?: string[];
  position: string | null;
  positionSource: string | null;
  themes?: string[];
  sdgs?: number[];
  affectedPersons?: string[];
}

/** The rules between a recommendation's own fields (shared with the importers): no state recommends to itself, a position needs its source. */
export function checkRecommendationRules(
  problems: Inconsistencies,
  record: Pick<Checked, 'reviewId' | 'recommendingStates' | 'position' | 'positionSource'>,
  stateUnderReview: string | undefined,
): void {
  if (stateUnderReview !== undefined && record.recommendingStates?.includes(stateUnderReview)) {
    problems.add('recommendingStates', `${stateUnderReview} is the state under review in ${record.reviewId}`);
  }
  if (record.position !== null && record.positionSource === null) {
    problems.add('positionSource', 'A position needs the source that records it (positions are never guessed)');
  }
}

/**
 * A development bears only on recommendations made to the state it happened in (src/developments/writes.ts):
 * a recommendation moved to a review of another state would break that for the developments linked to it.
 */
export function checkLinkedDevelopments(problems: Inconsistencies, id: string, state: string, linked: readonly { id: string; state: string }[]): void {
  if (linked.length === 0) return;
  const named = linked.slice(0, 5).map((d) => `${d.id} (${d.state})`).join(', ');
  const more = linked.length > 5 ? ` and ${linked.length - 5} more` : '';
  problems.add(
    'reviewId',
    `Recommendation ${id} has ${linked.length} linked development(s) that happened in another state than ${state}: ${named}${more}; ` +
      'unlink them first (DELETE /v1/developments/{id}/recommendations/{recommendationId})',
  );
}

/** SQL of the developments linked to a recommendation that happened in another state than `state`. */
export const linkedDevelopmentsElsewhere = (id: string, state: string) => sql`select d.id, d.state_code as state
  from development_recommendations l join developments d on d.id = l.development_id
  where l.recommendation_id = ${id} and d.state_code <> ${state} order by d.id`;

/**
 * 422 for unknown references, a state recommending to itself, a position without its source, or (`id`: the
 * recommendation changed) a review of another state than its linked developments'.
 */
function checkConsistency(tx: Reader, record: Checked, id?: string): void {
  const problems = new Inconsistencies();
  const review = tx.get<{ stateCode: string } | undefined>(
    sql`select state_code as stateCode from reviews where id = ${record.reviewId}`,
  );
  if (!review) problems.add('reviewId', `Unknown review id ${JSON.stringify(record.reviewId)}`);
  else if (id !== undefined) {
    checkLinkedDevelopments(problems, id, review.stateCode, tx.all<{ id: string; state: string }>(linkedDevelopmentsElsewhere(id, review.stateCode)));
  }
  checkReferences(tx, problems, 'recommendingStates', REFERENCES.state, record.recommendingStates);
  checkRecommendationRules(problems, record, review?.stateCode);
  checkReferences(tx, problems, 'themes', REFERENCES.theme, record.themes);
  checkReferences(tx, problems, 'sdgs', REFERENCES.sdg, record.sdgs);
  checkReferences(tx, problems, 'affectedPersons', REFERENCES.affectedPersons, record.affectedPersons);
  problems.throwIfAny();
}

function writeLinks(tx: Tx, id: string, input: Partial<RecommendationCreate>): void {
  if (input.recommendingStates) replaceLinks(tx, 'recommendation_states', 'recommendation_id', id, 'state_code', input.recommendingStates);
  if (input.themes) {
    const list = JSON.stringify(input.themes);
    rejectThemes(tx, id, sql`theme_id not in (select value from json_each(${list}))`);
    allowThemes(tx, id, input.themes);
    replaceLabels(tx, 'recommendation_themes', 'theme_id', id, input.themes);
  }
  if (input.sdgs) replaceLabels(tx, 'recommendation_sdgs', 'goal', id, input.sdgs);
  if (input.affectedPersons) replaceLabels(tx, 'recommendation_affected_persons', 'group_id', id, input.affectedPersons);
}

/**
 * Sets a recommendation's labels of one kind to `values`: those kept keep their provenance (label_source),
 * those added are `curated` (a curator chose them through the API).
 */
function replaceLabels(tx: Pick<Tx, 'run'>, table: string, column: string, id: string, values: readonly (string | number)[]): void {
  const t = sql.identifier(table);
  const c = sql.identifier(column);
  const list = JSON.stringify(values);
  tx.run(sql`delete from ${t} where recommendation_id = ${id} and ${c} not in (select value from json_each(${list}))`);
  tx.run(sql`insert into ${t} (recommendation_id, ${c}, label_source) select ${id}, value, 'curated'
    from json_each(${list}) where true on conflict do nothing`);
}

export function createRecommendation(context: WriteContext, input: RecommendationCreate): string {
  const { tx } = context;
  checkConsistency(tx, input);
  const id =
    input.id !== undefined
      ? claimRecordId(tx, ID_TABLE, input.id)
      : input.paragraph !== null
        ? claimRecordId(tx, ID_TABLE, `${input.reviewId}-${idFragment(input.paragraph)}`)
        : newRecordId(tx, ID_TABLE, input.reviewId);
  const now = new Date().toISOString();
  tx.insert(recommendations)
    .values({
      id,
      reviewId: input.reviewId,
      paragraph: input.paragraph,
      paragraphSortKey: paragraphSortKey(input.paragraph),
      text: input.text,
      verbatim: input.verbatim,
      position: input.position,
      positionSource: input.positionSource,
      sourceId: input.sources[0] === undefined ? null : upsertSource(context, input.sources[0]),
      createdAt: now,
      updatedAt: now,
    })
    .run();
  writeLinks(tx, id, input);
  const after = recommendationSnapshot(tx, id)!;
  for (const statement of createdMarks(id, after)) tx.run(statement);
  auditCreate(context, TABLE.entity, id, after);
  return id;
}

function existing(tx: Reader, id: string, expected: VersionCondition, snapshot = recommendationSnapshot): Snapshot {
  const before = snapshot(tx, id);
  if (!before) throw notFound('Recommendation', id);
  checkVersion(tx, expected, before.version, 'Recommendation', id);
  return before;
}

export function updateRecommendation(
  context: WriteContext,
  id: string,
  patch: RecommendationPatch,
  expected: VersionCondition,
): void {
  const { tx } = context;
  // A PATCH of themes sets them whole: the machine labels it leaves out are removed, and rejected
  // (src/tagging/rejections.ts), a curator's act that is a new version and recorded, as a DELETE of one is.
  const snapshot = patch.themes !== undefined ? themedRecommendationSnapshot : recommendationSnapshot;
  const before = existing(tx, id, expected, snapshot);
  checkConsistency(tx, {
    reviewId: patch.reviewId ?? (before.reviewId as string),
    recommendingStates: patch.recommendingStates ?? (before.recommendingStates as string[]),
    position: patch.position !== undefined ? patch.position : (before.position as string | null),
    positionSource: patch.positionSource !== undefined ? patch.positionSource : (before.positionSource as string | null),
    themes: patch.themes,
    sdgs: patch.sdgs,
    affectedPersons: patch.affectedPersons,
  }, patch.reviewId !== undefined ? id : undefined);
  const { sources, recommendingStates: _, themes: __, sdgs: ___, affectedPersons: ____, ...columns } = patch;
  const set: Partial<typeof recommendations.$inferInsert> = { ...columns };
  if (patch.paragraph !== undefined) set.paragraphSortKey = paragraphSortKey(patch.paragraph);
  if (sources !== undefined) set.sourceId = sources[0] === undefined ? null : upsertSource(context, sources[0]);
  if (Object.keys(set).length > 0) {
    tx.update(recommendations).set(set).where(sql`id = ${id}`).run();
  }
  writeLinks(tx, id, patch);
  const after = snapshot(tx, id)!;
  const marks = patchedMarks(id, patch, before, after, tx.all<CuratedMarks[number]>(curatedFieldsQuery(id)));
  for (const statement of marks.statements) tx.run(statement);
  finishUpdate(context, TABLE, id, before, () => after, marks.context);
}

export function deleteRecommendation(context: WriteContext, id: string, expected: VersionCondition): void {
  const { tx } = context;
  const before = existing(tx, id, expected);
  const assessments = countReferences(tx, 'assessments', 'recommendation_id', id);
  const developments = countReferences(tx, 'development_recommendations', 'recommendation_id', id);
  if (assessments + developments > 0) {
    throw new HttpProblem(
      409,
      `Recommendation "${id}" still has ${assessments} assessment(s) and ${developments} linked development(s): ` +
        'delete those assessments and unlink those developments first, so that nothing is lost unnoticed.',
    );
  }
  // Its state's idf loses its text: the state is recomputed whole (src/related/refresh.ts), one of its other
  // recommendations listed stale standing for it.
  tx.run(sql`insert or ignore into recommendation_relations_stale (recommendation_id)
    select o.id from recommendations r join reviews v on v.id = r.review_id join reviews w on w.state_code = v.state_code
      join recommendations o on o.review_id = w.id
    where r.id = ${id} and o.id <> ${id} limit 1`);
  deleteAudited(context, TABLE, id, before);
}
