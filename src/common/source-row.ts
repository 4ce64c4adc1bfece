import type { DatePrecision } from '../db/schema.js';
import type { z } from 'zod';
import type { sourceSchema } from './schemas.js';

type Source = z.infer<typeof sourceSchema>;

/** The columns a query selects for a record's one cited source (joined as `source_*`). */
export interface SourceRowColumns {
  source_id: string;
  source_title: string;
  source_publisher: string;
  source_url: string;
  source_published_on: string | null;
  source_published_on_precision: DatePrecision | null;
}

/** A record's cited source as the API shows it, from its `source_*` columns. */
export function sourceOfRow(row: SourceRowColumns): Source {
  return {
    id: row.source_id,
    title: row.source_title,
    publisher: row.source_publisher,
    url: row.source_url,
    publishedOn: row.source_published_on,
    publishedOnPrecision: row.source_published_on_precision,
  };
}
