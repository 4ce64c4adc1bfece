import type { CsvColumn } from '../http/formats.js';
import type { z } from 'zod';
import type { sourceSchema } from './schemas.js';

// CSV columns every resource shares, so that one concept has one set of column names in every export
// (README, "Naming conventions").

type Source = z.infer<typeof sourceSchema>;

/** The columns of a record's `sources`: their ids, then each field of theirs in the same order. */
export function sourceColumns<Row>(sourcesOf: (row: Row) => readonly Source[]): CsvColumn<Row>[] {
  return [
    { name: 'sources', description: 'Ids of its sources, separated by "; ".', value: (r) => sourcesOf(r).map((s) => s.id) },
    {
      name: 'sourceTitles',
      description: 'Their titles, in the same order (a title may itself contain "; ": read ids from `sources`).',
      value: (r) => sourcesOf(r).map((s) => s.title),
    },
    {
      name: 'sourcePublishers',
      description: 'Their publishers, in the same order.',
      value: (r) => sourcesOf(r).map((s) => s.publisher),
    },
    { name: 'sourceUrls', description: 'Their URLs, in the same order.', value: (r) => sourcesOf(r).map((s) => s.url) },
    {
      name: 'sourcePublicationDates',
      description: 'Their publication dates, each written to its precision (YYYY-MM-DD, YYYY-MM or YYYY), in the same order; an empty entry when unknown.',
      value: (r) => sourcesOf(r).map((s) => s.publishedOn ?? ''),
    },
  ];
}
