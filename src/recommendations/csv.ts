import { sourceColumns } from '../common/csv-columns.js';
import type { CsvColumn } from '../http/formats.js';
import type { RecommendationRecord } from './schemas.js';

// The CSV columns of a recommendations export, in order. Stable: an importer reads them back by name.
// Codes and ids are the values to import; the *Name and *Labels columns are for people reading the sheet.
// Multi-valued name and label columns list their values in the same order as the codes or ids beside them.

type Column = CsvColumn<RecommendationRecord>;

export const recommendationCsvColumns: readonly Column[] = [
  { name: 'id', description: 'Stable recommendation id, e.g. KGZ-3-FIN-1.', value: (r) => r.id },
  {
    name: 'url',
    description: 'Absolute URL of the record in this API.',
    value: (r, c) => `${c.origin}/v1/recommendations/${encodeURIComponent(r.id)}`,
  },
  { name: 'reviewId', description: 'Review id, e.g. KGZ-3.', value: (r) => r.reviewId },
  {
    name: 'stateUnderReview',
    description: 'ISO 3166-1 alpha-3 code of the state under review.',
    value: (r) => r.stateUnderReview.id,
  },
  { name: 'stateUnderReviewName', description: 'Its English short name.', value: (r) => r.stateUnderReview.name },
  { name: 'cycle', description: 'UPR cycle, 1–4 (a number).', value: (r) => r.cycle },
  { name: 'session', description: 'UPR Working Group session (a number); empty when unknown.', value: (r) => r.session },
  {
    name: 'paragraph',
    description: 'Paragraph number as printed in the report ("121.10"); empty when unknown.',
    value: (r) => r.paragraph,
  },
  { name: 'text', description: 'The recommendation.', value: (r) => r.text },
  {
    name: 'verbatim',
    description: 'true when `text` is the official wording, false for a paraphrase.',
    value: (r) => r.verbatim,
  },
  {
    name: 'recommendingStates',
    description: 'ISO 3166-1 alpha-3 codes of the recommending states, separated by "; ".',
    value: (r) => r.recommendingStates.map((s) => s.id),
  },
  {
    name: 'recommendingStateNames',
    description: 'Their English short names, in the same order.',
    value: (r) => r.recommendingStates.map((s) => s.name),
  },
  {
    name: 'unresolvedRecommendingStates',
    description: 'Recommending "states" as printed when no state code resolves them, separated by "; ".',
    value: (r) => r.unresolvedRecommendingStates,
  },
  {
    name: 'position',
    description: 'supported, partially_supported, noted or pending; empty when no source records a position.',
    value: (r) => r.position,
  },
  {
    name: 'positionLabel',
    description: 'The decision as the source printed it when it differs from `position` ("implemented"); empty otherwise.',
    value: (r) => r.positionLabel,
  },
  {
    name: 'positionSource',
    description: 'Where the position is recorded (a document reference or URL); empty when none.',
    value: (r) => r.positionSource,
  },
  {
    name: 'actionCategory',
    description:
      "UPR Info's action category, what the recommendation asks (a number): 1 addressed to other states, 2 " +
      'continue an action, 3 consider a change, 4 general action, 5 specific action; empty when not coded.',
    value: (r) => r.actionCategory,
  },
  {
    name: 'themes',
    description: 'Theme ids (see GET /v1/themes), separated by "; ".',
    value: (r) => r.themes.map((t) => t.id),
  },
  {
    name: 'themeLabels',
    description: 'Their labels, in the same order (a label may itself contain "; ": read ids from `themes`).',
    value: (r) => r.themes.map((t) => t.label),
  },
  {
    name: 'themeSources',
    description: 'Who gave each theme, in the same order: ohchr, upr-info, curated or machine (automatic tagging); empty when not recorded.',
    value: (r) => r.themes.map((t) => t.source ?? ''),
  },
  {
    name: 'themeConfidences',
    description:
      "Each theme's confidence, in the same order: for a machine label the chance that it is right (0–0.999), or 1 for a " +
      "UHRI theme derived from the issue UPR Info coded (not a model's guess); empty for the others.",
    value: (r) => r.themes.map((t) => (t.confidence === null ? '' : t.confidence)),
  },
  {
    name: 'sdgs',
    description: 'Sustainable Development Goal numbers, separated by "; ".',
    value: (r) => r.sdgs.map((g) => g.id),
  },
  {
    name: 'sdgLabels',
    description: 'Their titles, in the same order.',
    value: (r) => r.sdgs.map((g) => g.label),
  },
  {
    name: 'affectedPersons',
    description: 'Affected-persons group ids (see GET /v1/affected-persons), separated by "; ".',
    value: (r) => r.affectedPersons.map((g) => g.id),
  },
  {
    name: 'affectedPersonLabels',
    description: 'Their labels, in the same order.',
    value: (r) => r.affectedPersons.map((g) => g.label),
  },
  {
    name: 'implementation',
    description:
      'Current implementation status (latest assessment): not_implemented, partially_implemented or ' +
      'implemented; empty when never assessed.',
    value: (r) => r.implementation,
  },
  {
    name: 'developmentCount',
    description: 'How many developments bear on it (a number).',
    value: (r) => r.developmentCount,
  },
  {
    name: 'recurrenceCount',
    description: 'How many earlier-cycle recommendations to the same state under review ask much the same (a number; see `recurrence`).',
    value: (r) => r.recurrence.count,
  },
  {
    name: 'recurrenceEarliestCycle',
    description: 'The earliest cycle of those (a number); empty when there are none.',
    value: (r) => r.recurrence.earliestCycle,
  },
  ...sourceColumns<RecommendationRecord>((r) => r.sources),
  { name: 'version', description: 'Record version (a number), incremented by every change.', value: (r) => r.version },
  { name: 'createdAt', description: 'When the record was created here (ISO 8601, UTC).', value: (r) => r.createdAt },
  { name: 'updatedAt', description: 'When the record last changed here (ISO 8601, UTC).', value: (r) => r.updatedAt },
  // Appended (session 39): what JSON says of who gave a label and of what each source printed, so that a sheet
  // tells a published value from a curator's or a derived one.
  {
    name: 'sdgSources',
    description: 'Who gave each goal, in the order of `sdgs`: ohchr (a matrix) or curated; empty when not recorded.',
    value: (r) => r.sdgs.map((g) => g.source ?? ''),
  },
  {
    name: 'affectedPersonSources',
    description: 'Who gave each group, in the order of `affectedPersons`: ohchr (a matrix) or curated; empty when not recorded.',
    value: (r) => r.affectedPersons.map((g) => g.source ?? ''),
  },
  {
    name: 'readingParagraphs',
    description:
      'What each source printed (its `reading`), in the order of `sources`: the paragraph number it printed; an empty entry ' +
      'when it prints none (UPR Info) or the record was not imported from it (a curator\'s or the seed\'s source).',
    value: (r) => r.sources.map((s) => s.reading?.paragraph ?? ''),
  },
  {
    name: 'readingPositions',
    description: "Each source's position, in the order of `sources`, on the record's scale; an empty entry when it records none or has no reading.",
    value: (r) => r.sources.map((s) => s.reading?.position ?? ''),
  },
  {
    name: 'readingPositionLabels',
    description: "Each source's decision as it printed it when it differs from its position (consider, Accepted), in the order of `sources`; an empty entry otherwise.",
    value: (r) => r.sources.map((s) => s.reading?.positionLabel ?? ''),
  },
  {
    name: 'readingPositionSources',
    description:
      'Where each source says the position is recorded, in the order of `sources`; an empty entry when it does not say (a text ' +
      'may itself contain "; ": the NDJSON export gives each exactly).',
    value: (r) => r.sources.map((s) => s.reading?.positionSource ?? ''),
  },
];
