import { sourceColumns } from '../common/csv-columns.js';
import type { CsvColumn } from '../http/formats.js';
import type { ReviewRecord } from './schemas.js';

// The CSV columns of a reviews export, in order.

type Column = CsvColumn<ReviewRecord>;

export const reviewCsvColumns: readonly Column[] = [
  { name: 'id', description: 'Review id: state code and cycle, e.g. KGZ-3.', value: (v) => v.id },
  {
    name: 'url',
    description: 'Absolute URL of the record in this API.',
    value: (v, c) => `${c.origin}/v1/reviews/${encodeURIComponent(v.id)}`,
  },
  {
    name: 'stateUnderReview',
    description: 'ISO 3166-1 alpha-3 code of the state under review.',
    value: (v) => v.stateUnderReview.id,
  },
  { name: 'stateUnderReviewName', description: 'Its English short name.', value: (v) => v.stateUnderReview.name },
  { name: 'cycle', description: 'UPR cycle, 1–4 (a number).', value: (v) => v.cycle },
  { name: 'session', description: 'UPR Working Group session (a number); empty when unknown.', value: (v) => v.session },
  {
    name: 'year',
    description: 'Year of the review (a number): of its session in the UPR calendar, else of dialogueDate, else reportYear; empty when none is known.',
    value: (v) => v.year,
  },
  { name: 'dialogueDate', description: 'Date of the interactive dialogue (YYYY-MM-DD).', value: (v) => v.dialogueDate },
  { name: 'reportSymbol', description: 'Symbol of the Working Group report, e.g. A/HRC/44/9.', value: (v) => v.reportSymbol },
  {
    name: 'reportYear',
    description: 'Year of the Working Group report as a source gives it (a number); empty when none does.',
    value: (v) => v.reportYear,
  },
  {
    name: 'adoptionSession',
    description: 'Human Rights Council session that adopted the outcome (a number).',
    value: (v) => v.adoptionSession,
  },
  { name: 'adoptionDate', description: 'Date of adoption, to its precision.', value: (v) => v.adoptionDate },
  { name: 'adoptionDatePrecision', description: 'year, month or day.', value: (v) => v.adoptionDatePrecision },
  { name: 'recommendationCount', description: 'How many recommendations it has (a number).', value: (v) => v.recommendationCount },
  {
    name: 'recommendationsComplete',
    description: "true when we hold every recommendation of the report, false while its full list is not imported.",
    value: (v) => v.recommendationsComplete,
  },
  { name: 'recommendationsNote', description: 'What we know of the recommendations we do not hold.', value: (v) => v.recommendationsNote },
  ...sourceColumns<ReviewRecord>((v) => v.sources),
  { name: 'version', description: 'Record version (a number).', value: (v) => v.version },
  { name: 'createdAt', description: 'When the record was created here (ISO 8601, UTC).', value: (v) => v.createdAt },
  { name: 'updatedAt', description: 'When the record last changed here (ISO 8601, UTC).', value: (v) => v.updatedAt },
];
