import { sourceColumns } from '../common/csv-columns.js';
import type { CsvColumn } from '../http/formats.js';
import type { StatementRecord } from './schemas.js';

// The CSV columns of a statements export, in order.

type Column = CsvColumn<StatementRecord>;

export const statementCsvColumns: readonly Column[] = [
  { name: 'id', description: 'Stable statement id.', value: (s) => s.id },
  {
    name: 'url',
    description: 'Absolute URL of the record in this API.',
    value: (s, c) => `${c.origin}/v1/statements/${encodeURIComponent(s.id)}`,
  },
  { name: 'reviewId', description: 'Review id, e.g. KGZ-3.', value: (s) => s.reviewId },
  {
    name: 'stateUnderReview',
    description: 'ISO 3166-1 alpha-3 code of the state under review.',
    value: (s) => s.stateUnderReview.id,
  },
  { name: 'stateUnderReviewName', description: 'Its English short name.', value: (s) => s.stateUnderReview.name },
  { name: 'speakerType', description: 'state or organization.', value: (s) => s.speaker.type },
  {
    name: 'speakerId',
    description: 'ISO 3166-1 alpha-3 code of a speaking state; empty for an organization.',
    value: (s) => s.speaker.id,
  },
  { name: 'speakerName', description: "The state's short name or the organization's name.", value: (s) => s.speaker.name },
  { name: 'stage', description: 'interactive_dialogue or adoption.', value: (s) => s.stage },
  { name: 'date', description: 'When, to its precision.', value: (s) => s.date },
  { name: 'datePrecision', description: 'year, month or day.', value: (s) => s.datePrecision },
  { name: 'summary', description: 'What was said, in our own words.', value: (s) => s.summary },
  { name: 'themes', description: 'Theme ids, separated by "; ".', value: (s) => s.themes.map((t) => t.id) },
  {
    name: 'themeLabels',
    description: 'Their labels, in the same order (a label may itself contain "; ": read ids from `themes`).',
    value: (s) => s.themes.map((t) => t.label),
  },
  ...sourceColumns<StatementRecord>((s) => s.sources),
  { name: 'version', description: 'Record version (a number).', value: (s) => s.version },
  { name: 'createdAt', description: 'When the record was created here (ISO 8601, UTC).', value: (s) => s.createdAt },
  { name: 'updatedAt', description: 'When the record last changed here (ISO 8601, UTC).', value: (s) => s.updatedAt },
];
