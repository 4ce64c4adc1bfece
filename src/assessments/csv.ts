import { sourceColumns } from '../common/csv-columns.js';
import type { CsvColumn } from '../http/formats.js';
import type { AssessmentItem } from './schemas.js';

// The CSV columns of an assessments export, in order.

type Column = CsvColumn<AssessmentItem>;

export const assessmentCsvColumns: readonly Column[] = [
  { name: 'id', description: 'Stable assessment id.', value: (a) => a.id },
  {
    name: 'url',
    description: 'Absolute URL of the record in this API.',
    value: (a, c) => `${c.origin}/v1/assessments/${encodeURIComponent(a.id)}`,
  },
  { name: 'recommendationId', description: 'The recommendation judged.', value: (a) => a.recommendationId },
  { name: 'reviewId', description: "The recommendation's review.", value: (a) => a.reviewId },
  {
    name: 'stateUnderReview',
    description: 'ISO 3166-1 alpha-3 code of the state under review.',
    value: (a) => a.stateUnderReview.id,
  },
  { name: 'stateUnderReviewName', description: 'Its English short name.', value: (a) => a.stateUnderReview.name },
  { name: 'status', description: 'not_implemented, partially_implemented or implemented.', value: (a) => a.status },
  { name: 'assessedOn', description: 'The date the judgement holds for (YYYY-MM-DD).', value: (a) => a.assessedOn },
  { name: 'rationale', description: 'Why, in our own words, as the source supports it.', value: (a) => a.rationale },
  ...sourceColumns<AssessmentItem>((a) => a.sources),
  { name: 'version', description: 'Record version (a number).', value: (a) => a.version },
  { name: 'createdAt', description: 'When the record was created here (ISO 8601, UTC).', value: (a) => a.createdAt },
  { name: 'updatedAt', description: 'When the record last changed here (ISO 8601, UTC).', value: (a) => a.updatedAt },
];
