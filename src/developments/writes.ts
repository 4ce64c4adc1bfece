import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { uniqueList } from '../common/schemas.js';
import { periodOf } from '../common/dates.js';
import type { Tx, WriteContext } from '../db/audit.js';
import { DATE_PRECISIONS, DIRECTIONS, developments } from '../db/schema.js';
import { notFound } from '../http/problem.js';
import { inList } from '../db/keyset.js';
import { isoCode } from '../http/params.js';
import { checkDate, checkReferences, checkVersion, Inconsistencies, REFERENCES } from '../curation/checks.js';
import { claimRecordId, idFragment, newRecordId, recordIdSchema } from '../curation/ids.js';
import {
  auditCreate,
  deleteAudited,
  finishUpdate,
  linkedValues,
  replaceLinks,
  type Snapshot,
  type VersionedTable,
} from '../curation/records.js';
import { SOURCE_EXAMPLE, sourceInputSchema, upsertSource } from '../curation/sources.js';
import { visible } from '../http/visible-text.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting developments, and linking them to the recommendations they bear on:
// each function runs inside a writeTransaction.

export const TABLE: VersionedTable = { entity: 'developments', table: 'developments', idColumn: 'id', hasUpdatedAt: true };
export const ID_TABLE = { table: 'developments', column: 'id', what: 'Development' };

const uniqueUrls = (sources: { url: string }[]) => new Set(sources.map((s) => s.url)).size === sources.length;

const fields = {
  stateUnderReview: isoCode.describe('The state it happened in, whose review it follows up (ISO 3166-1 alpha-3), e.g. KGZ.'),
  reviewId: z
    .string()
    .min(1)
    .max(50)
    .nullable()
    .describe('The review it follows up, a review of the same state; null when none in particular.'),
  title: visible(z.string().trim().min(1).max(500)),
  summary: z.string().trim().min(1).max(10_000).describe('What happened, in your own words.'),
  date: z
    .string()
    .max(10)
    .describe('When it happened, as precisely as known: "2020", "2020-07" or "2020-07-25" (matching datePrecision).'),
  datePrecision: z.enum(DATE_PRECISIONS),
  direction: z
    .enum(DIRECTIONS)
    .describe('progress: towards implementing the recommendations it bears on; setback: away from it; neutral.'),
  themes: uniqueList(visible(z.string().min(1).max(200)), 50).describe('Theme ids (see GET /v1/themes).'),
  recommendationIds: uniqueList(visible(z.string().min(1).max(200)), 200).describe(
    'Recommendations it bears on: recommendations made to the same state.',
  ),
  sources: z
    .array(sourceInputSchema)
    .min(1)
    .max(20)
    .refine(uniqueUrls, 'List each source (URL) once')
    .describe('Where it is reported: at least one source.'),
};

export const developmentCreateSchema = z
  .strictObject({
    id: recordIdSchema.optional(),
    stateUnderReview: fields.stateUnderReview,
    reviewId: fields.reviewId.default(null),
    title: fields.title,
    summary: fields.summary,
    date: fields.date,
    datePrecision: fields.datePrecision,
    direction: fields.direction,
    themes: fields.themes.default([]),
    recommendationIds: fields.recommendationIds.default([]),
    sources: fields.sources,
  })
  .meta({
    id: 'DevelopmentCreate',
    example: {
      stateUnderReview: 'KGZ',
      reviewId: 'KGZ-3',
      title: 'Azimjon Askarov dies in custody',
      summary:
        'The human rights defender Azimjon Askarov died in custody after the authorities denied him adequate ' +
        'medical care.',
      date: '2020-07-25',
      datePrecision: 'day',
      direction: 'setback',
      themes: ['human-rights-defenders'],
      recommendationIds: ['KGZ-3-FIN-1'],
      sources: [SOURCE_EXAMPLE],
    },
  });

export const developmentPatchSchema = z
  .strictObject({
    stateUnderReview: fields.stateUnderReview.optional(),
    reviewId: fields.reviewId.optional(),
    title: fields.title.optional(),
    summary: fields.summary.optional(),
    date: fields.date.optional(),
    datePrecision: fields.datePrecision.optional(),
    direction: fields.direction.optional(),
    themes: fields.themes.optional(),
    recommendationIds: fields.recommendationIds.optional(),
    sources: fields.sources.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change')
  .meta({
    id: 'DevelopmentPatch',
    description: 'The fields to change (JSON merge patch): a field given replaces the stored one; lists are replaced whole.',
    example: { date: '2020-07', datePrecision: 'month' },
  });

export type DevelopmentCreate = z.output<typeof developmentCreateSchema>;
export type DevelopmentPatch = z.output<typeof developmentPatchSchema>;

type Reader = Pick<Tx, 'get' | 'all'>;

/** The development as its audit entries record it. */
export function developmentSnapshot(tx: Reader, id: string): Snapshot | undefined {
  const row = tx.get<
    | {
        stateUnderReview: string;
        reviewId: string | null;
        title: string;
        summary: string;
        date: string;
        datePrecision: string;
        direction: string;
        version: number;
      }
    | undefined
  >(sql`select state_code as stateUnderReview, review_id as reviewId, title, summary, date, date_precision as datePrecision,
      direction, version
    from developments where id = ${id}`);
  if (!row) return undefined;
  const { version, ...columns } = row;
  const links = (table: string, column: string) => linkedValues(tx, table, 'development_id', id, column);
  return {
    ...columns,
    themes: links('development_themes', 'theme_id'),
    recommendationIds: links('development_recommendations', 'recommendation_id'),
    sourceIds: links('development_sources', 'source_id'),
    version,
  };
}

/** Recommendations made to another state than `state`, by id. */
function otherStatesRecommendations(tx: Reader, state: string, ids: readonly string[]): { id: string; state: string }[] {
  if (ids.length === 0) return [];
  return tx.all<{ id: string; state: string }>(sql`select r.id, v.state_code as state
    from recommendations r join reviews v on v.id = r.review_id
    where ${inList(sql`r.id`, ids)} and v.state_code <> ${state} order by r.id`);
}

export interface Checked {
  stateUnderReview: string;
  reviewId: string | null;
  date: string;
  datePrecision: DevelopmentCreate['datePrecision'];
  themes?: string[];
  recommendationIds: string[];
}

/** 422 for unknown references, a review or recommendation of another state, or a date that is not one. */
function checkConsistency(tx: Reader, record: Checked, changed: { date: boolean; recommendations: boolean }): void {
  const problems = new Inconsistencies();
  checkReferences(tx, problems, 'stateUnderReview', REFERENCES.state, [record.stateUnderReview]);
  if (record.reviewId !== null) {
    const review = tx.get<{ state: string } | undefined>(sql`select state_code as state from reviews where id = ${record.reviewId}`);
    if (!review) problems.add('reviewId', `Unknown review id ${JSON.stringify(record.reviewId)}`);
    else if (review.state !== record.stateUnderReview) {
      problems.add('reviewId', `${record.reviewId} is a review of ${review.state}, not of ${record.stateUnderReview}`);
    }
  }
  if (changed.date) checkDate(problems, 'date', record.date, record.datePrecision);
  checkReferences(tx, problems, 'themes', REFERENCES.theme, record.themes);
  if (changed.recommendations) {
    checkReferences(tx, problems, 'recommendationIds', REFERENCES.recommendation, record.recommendationIds);
    for (const other of otherStatesRecommendations(tx, record.stateUnderReview, record.recommendationIds)) {
      problems.add('recommendationIds', `${other.id} is a recommendation to ${other.state}, not to ${record.stateUnderReview}`);
    }
  }
  problems.throwIfAny();
}

function writeLinks(context: WriteContext, id: string, input: Partial<DevelopmentCreate>): void {
  const { tx } = context;
  if (input.themes) replaceLinks(tx, 'development_themes', 'development_id', id, 'theme_id', input.themes);
  if (input.recommendationIds) {
    replaceLinks(tx, 'development_recommendations', 'development_id', id, 'recommendation_id', input.recommendationIds);
  }
  if (input.sources) {
    const sourceIds = input.sources.map((source, index) => upsertSource(context, source, index));
    replaceLinks(tx, 'development_sources', 'development_id', id, 'source_id', sourceIds);
  }
}

export function createDevelopment(context: WriteContext, input: DevelopmentCreate): string {
  const { tx } = context;
  checkConsistency(tx, input, { date: true, recommendations: true });
  const id =
    input.id !== undefined
      ? claimRecordId(tx, ID_TABLE, input.id)
      : newRecordId(tx, ID_TABLE, `${input.stateUnderReview.toLowerCase()}-${idFragment(input.date)}`);
  const period = periodOf(input.date, input.datePrecision);
  const now = new Date().toISOString();
  tx.insert(developments)
    .values({
      id,
      stateCode: input.stateUnderReview,
      reviewId: input.reviewId,
      title: input.title,
      summary: input.summary,
      date: input.date,
      datePrecision: input.datePrecision,
      periodStart: period.start,
      periodEnd: period.end,
      direction: input.direction,
      createdAt: now,
      updatedAt: now,
    })
    .run();
  writeLinks(context, id, input);
  auditCreate(context, TABLE.entity, id, developmentSnapshot(tx, id)!);
  return id;
}

function existing(tx: Reader, id: string, expected: VersionCondition): Snapshot {
  const before = developmentSnapshot(tx, id);
  if (!before) throw notFound('Development', id);
  checkVersion(tx, expected, before.version, 'Development', id);
  return before;
}

export function updateDevelopment(context: WriteContext, id: string, patch: DevelopmentPatch, expected: VersionCondition): void {
  const { tx } = context;
  const before = existing(tx, id, expected);
  const merged: Checked = {
    stateUnderReview: patch.stateUnderReview ?? (before.stateUnderReview as string),
    reviewId: patch.reviewId !== undefined ? patch.reviewId : (before.reviewId as string | null),
    date: patch.date ?? (before.date as string),
    datePrecision: patch.datePrecision ?? (before.datePrecision as Checked['datePrecision']),
    themes: patch.themes,
    // A change of state must still fit the linked recommendations.
    recommendationIds: patch.recommendationIds ?? (before.recommendationIds as string[]),
  };
  checkConsistency(tx, merged, {
    date: patch.date !== undefined || patch.datePrecision !== undefined,
    recommendations: patch.recommendationIds !== undefined || patch.stateUnderReview !== undefined,
  });
  const { themes: _, recommendationIds: __, sources: ___, stateUnderReview: ____, ...columns } = patch;
  const period = periodOf(merged.date, merged.datePrecision);
  tx.update(developments)
    .set({ ...columns, stateCode: merged.stateUnderReview, periodStart: period.start, periodEnd: period.end })
    .where(sql`id = ${id}`)
    .run();
  writeLinks(context, id, patch);
  finishUpdate(context, TABLE, id, before, () => developmentSnapshot(tx, id)!);
}

export function deleteDevelopment(context: WriteContext, id: string, expected: VersionCondition): void {
  // Its links to recommendations, themes and sources go with it (and are in its tombstone); sources stay.
  deleteAudited(context, TABLE, id, existing(context.tx, id, expected));
}

/** Links a development to a recommendation it bears on; linking twice changes nothing. */
export function linkRecommendation(
  context: WriteContext,
  id: string,
  recommendationId: string,
  expected: VersionCondition,
  link: boolean,
): void {
  const { tx } = context;
  const before = existing(tx, id, expected);
  if (link) {
    const recommendation = tx.get<{ state: string } | undefined>(sql`select v.state_code as state
      from recommendations r join reviews v on v.id = r.review_id where r.id = ${recommendationId}`);
    if (!recommendation) throw notFound('Recommendation', recommendationId);
    if (recommendation.state !== before.stateUnderReview) {
      const problems = new Inconsistencies();
      const message = `${recommendationId} is a recommendation to ${recommendation.state}; development ${id} happened in ${before.stateUnderReview as string}`;
      problems.add('recommendationId', message, 'path');
      problems.throwIfAny();
    }
    tx.run(sql`insert into development_recommendations (development_id, recommendation_id)
      values (${id}, ${recommendationId}) on conflict do nothing`);
  } else {
    tx.run(sql`delete from development_recommendations where development_id = ${id} and recommendation_id = ${recommendationId}`);
  }
  finishUpdate(context, TABLE, id, before, () => developmentSnapshot(tx, id)!);
}
