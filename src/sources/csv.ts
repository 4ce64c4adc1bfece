import type { CsvColumn } from '../http/formats.js';
import type { SourceRecord } from './schemas.js';

// The CSV columns of a sources export, in order.

type Column = CsvColumn<SourceRecord>;

export const sourceCsvColumns: readonly Column[] = [
  { name: 'id', description: 'Stable source id.', value: (s) => s.id },
  {
    name: 'apiUrl',
    description: 'Absolute URL of the record in this API.',
    value: (s, c) => `${c.origin}/v1/sources/${encodeURIComponent(s.id)}`,
  },
  { name: 'title', description: 'Title of the document or page.', value: (s) => s.title },
  { name: 'publisher', description: 'Who published it.', value: (s) => s.publisher },
  { name: 'url', description: 'Where it can be read.', value: (s) => s.url },
  {
    name: 'publishedOn',
    description: 'Publication date, written to its precision (YYYY-MM-DD, YYYY-MM or YYYY); empty when unknown.',
    value: (s) => s.publishedOn,
  },
  { name: 'publishedOnPrecision', description: 'year, month or day; empty when the date is unknown.', value: (s) => s.publishedOnPrecision },
];
