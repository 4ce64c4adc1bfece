import { sourceColumns } from '../common/csv-columns.js';
import type { CsvColumn } from '../http/formats.js';
import type { DevelopmentRecord } from './schemas.js';

// The CSV columns of a developments export, in order. Ids and codes are the values to import; names and
// labels are for people reading the sheet, in the same order as the ids beside them.

type Column = CsvColumn<DevelopmentRecord>;

export const developmentCsvColumns: readonly Column[] = [
  { name: 'id', description: 'Stable development id.', value: (d) => d.id },
  {
    name: 'url',
    description: 'Absolute URL of the record in this API.',
    value: (d, c) => `${c.origin}/v1/developments/${encodeURIComponent(d.id)}`,
  },
  {
    name: 'stateUnderReview',
    description: 'ISO 3166-1 alpha-3 code of the state it happened in, whose review it follows up.',
    value: (d) => d.stateUnderReview.id,
  },
  { name: 'stateUnderReviewName', description: 'Its English short name.', value: (d) => d.stateUnderReview.name },
  { name: 'reviewId', description: 'The review it follows up; empty when none in particular.', value: (d) => d.reviewId },
  { name: 'title', description: 'Title.', value: (d) => d.title },
  { name: 'summary', description: 'What happened, in our own words.', value: (d) => d.summary },
  {
    name: 'date',
    description: 'When, to its precision: "2020", "2020-06" or "2020-07-25".',
    value: (d) => d.date,
  },
  { name: 'datePrecision', description: 'year, month or day.', value: (d) => d.datePrecision },
  { name: 'direction', description: 'progress, setback or neutral.', value: (d) => d.direction },
  { name: 'themes', description: 'Theme ids, separated by "; ".', value: (d) => d.themes.map((t) => t.id) },
  {
    name: 'themeLabels',
    description: 'Their labels, in the same order (a label may itself contain "; ": read ids from `themes`).',
    value: (d) => d.themes.map((t) => t.label),
  },
  {
    name: 'recommendationIds',
    description: 'Ids of the recommendations it bears on, separated by "; ".',
    value: (d) => d.recommendationIds,
  },
  ...sourceColumns<DevelopmentRecord>((d) => d.sources),
  { name: 'version', description: 'Record version (a number).', value: (d) => d.version },
  { name: 'createdAt', description: 'When the record was created here (ISO 8601, UTC).', value: (d) => d.createdAt },
  { name: 'updatedAt', description: 'When the record last changed here (ISO 8601, UTC).', value: (d) => d.updatedAt },
];
