import { z } from 'zod';
import { uniqueList } from '../common/schemas.js';
import { Inconsistencies } from '../curation/checks.js';
import { recordIdSchema } from '../curation/ids.js';
import { LABEL_SCHEMES } from '../db/schema.js';
import { publishedOnProblem, sourceInputSchema } from '../curation/sources.js';
import { faultyTextFields, SURROGATE_MESSAGE } from '../http/nul-guard.js';
import { isoCode } from '../http/params.js';
import { recommendationSchema } from '../recommendations/schemas.js';
import { checkRecommendationRules, recommendationCreateSchema } from '../recommendations/writes.js';
import { reviewCreateSchema } from '../reviews/writes.js';
import type { LabelInput, ReviewInput, SourceInput } from './types.js';
import { cutText } from '../common/cut-text.js';

// What an import writes is held to the write API's own schemas and rules (src/*/writes.ts, src/curation/):
// a recommendation, review or source the API would refuse is not written; its rows are reported with why.

const api = recommendationCreateSchema.shape;

/** A recommendation as an import stores it: the API's fields and bounds, plus what only importers record. */
const importedRecommendationSchema = z.strictObject({
  reviewId: api.reviewId,
  paragraph: api.paragraph,
  text: api.text,
  verbatim: api.verbatim,
  // May be empty (unlike the API's) when the file's recommenders are kept as printed: names are never guessed.
  recommendingStates: uniqueList(isoCode, 100),
  unresolvedRecommenders: uniqueList(z.string().trim().min(1).max(500), 100),
  position: api.position,
  positionLabel: api.positionSource, // the decision as printed: bounded like the note of where it is recorded
  positionSource: api.positionSource,
  sourceId: recordIdSchema.nullable(),
  themes: api.themes,
  // Goal numbers, as the API's SDG ids ("16") read.
  sdgs: uniqueList(z.int().min(1).max(17), 17),
  affectedPersons: api.affectedPersons,
  // UPR Info's coding: not written through the API, bounded as the API reads it.
  actionCategory: recommendationSchema.shape.actionCategory,
});
export type ImportedRecommendation = z.output<typeof importedRecommendationSchema>;

const reviewApi = reviewCreateSchema.shape;
const importedReviewSchema = z.strictObject({
  stateUnderReview: reviewApi.stateUnderReview,
  cycle: reviewApi.cycle,
  session: reviewApi.session,
  reportSymbol: reviewApi.reportSymbol,
  reportYear: reviewApi.reportYear,
});

// Vocabulary labels have no write API: ids are bounded as the API's theme ids, labels like a source's title.
const labelInputSchema = z.strictObject({
  id: api.themes.unwrap().element,
  label: sourceInputSchema.shape.title,
  uhri: z.boolean(),
  scheme: z.enum(LABEL_SCHEMES).optional(),
});

export type Checked<T> = { value: T; problems?: undefined } | { value?: undefined; problems: string[] };

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`);
}

/**
 * The fields holding a NUL character (PostgreSQL cannot store one) or an unpaired surrogate, which the API refuses
 * in any text (src/http/nul-guard.ts).
 */
function nulProblems(value: unknown): string[] {
  return faultyTextFields(value).map(({ name, fault }) =>
    fault === 'nul' ? `${name}: must not contain a NUL character (U+0000)` : `${name}: ${SURROGATE_MESSAGE}`,
  );
}

function idProblems(id: string): string[] {
  const parsed = recordIdSchema.safeParse(id);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `id ${JSON.stringify(cutText(id, 80))}: ${issue.message}`);
}

/** The record as stored (trimmed as the API trims), or why the API would refuse it. */
export function checkRecommendation(
  id: string,
  record: Record<keyof ImportedRecommendation, unknown>,
  stateUnderReview: string | undefined,
): Checked<ImportedRecommendation> {
  const problems = [...idProblems(id), ...nulProblems(record)];
  const parsed = importedRecommendationSchema.safeParse(record);
  if (!parsed.success) return { problems: [...problems, ...issues(parsed.error)] };
  const rules = new Inconsistencies();
  if (stateUnderReview === undefined) rules.add('reviewId', `Unknown review id ${JSON.stringify(parsed.data.reviewId)}`);
  checkRecommendationRules(rules, parsed.data, stateUnderReview);
  problems.push(...rules.messages());
  return problems.length > 0 ? { problems } : { value: parsed.data };
}

/** A review as the API creates it (admin scope, checked by the caller): its id is `<state>-<cycle>`. */
export function checkReview(review: ReviewInput): Checked<ReviewInput> {
  const nul = nulProblems(review);
  if (nul.length > 0) return { problems: nul };
  const parsed = importedReviewSchema.safeParse({
    stateUnderReview: review.stateCode,
    cycle: review.cycle,
    session: review.wgSession ?? null,
    reportSymbol: review.reportSymbol ?? null,
    reportYear: review.reportYear ?? null,
  });
  if (!parsed.success) return { problems: issues(parsed.error) };
  const { stateUnderReview, cycle, session, reportSymbol, reportYear } = parsed.data;
  const id = `${stateUnderReview}-${cycle}`;
  if (review.id !== id) return { problems: [`id: a review's id is its state and cycle (${id}), not ${JSON.stringify(cutText(review.id, 80))}`] };
  return { value: { id, stateCode: stateUnderReview, cycle, wgSession: session, reportSymbol, reportYear } };
}

/** A cited source as the API takes it: an http(s) URL, bounded title and publisher, a real date or none. */
export function checkSource(source: SourceInput): Checked<SourceInput> {
  const { id, ...fields } = source;
  const parsed = sourceInputSchema.safeParse(fields);
  const problems = [...idProblems(id), ...nulProblems(source)];
  if (!parsed.success) return { problems: [...problems, ...issues(parsed.error)] };
  const published = publishedOnProblem(parsed.data.publishedOn);
  if (published) problems.push(`publishedOn: ${published}`);
  if (problems.length > 0) return { problems };
  return { value: { id, ...parsed.data, publishedOn: parsed.data.publishedOn ?? null } };
}

export function checkLabel(label: LabelInput): Checked<LabelInput> {
  const nul = nulProblems(label);
  if (nul.length > 0) return { problems: nul };
  const parsed = labelInputSchema.safeParse(label);
  return parsed.success ? { value: parsed.data } : { problems: issues(parsed.error) };
}
